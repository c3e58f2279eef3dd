import type { RequestMeta } from '../audit.ts'
import type { TokenPair } from '../refresh-tokens.ts'
import type { RateLimitSink } from '../throttle/rate-limit-info.ts'

/** Which door a password came through; recorded with failures so the audit log tells them apart. */
export type LoginChannel = 'login' | 'token'

/** A password presented to sign in, as /login and the /token password grant receive it. */
export interface PasswordLoginAttempt {
  /** What the person typed to name their account. */
  identifier: string
  password: string
  meta: RequestMeta
  channel: LoginChannel
  /** Receives the login quota once the throttle admits the attempt, whatever the outcome. */
  onRateLimit?: RateLimitSink
  /** The device token the client presented (cookie or Gatehouse-Device header), unchecked. */
  deviceToken?: string | undefined
}

/** RFC 8176 authentication method references, as access tokens carry them in `amr`. */
export type AuthenticationMethod = 'pwd' | 'otp' | 'hwk' | 'swk' | 'mfa'

/** What a person proved, and when: the session keeps it and every token of the session repeats it. */
export interface AuthenticationProof {
  methods: AuthenticationMethod[]
  /** Epoch milliseconds of the authentication. */
  authenticatedAt: number
}

/**
 * Where a login ends. Today every proven login gets tokens; later steps (a second factor) are further
 * kinds of this union, so every caller must handle each one.
 */
export type LoginResult =
  | { kind: 'tokens'; pair: TokenPair; userId: string }
  /** The password was right but GATEHOUSE_REQUIRE_VERIFIED_EMAIL holds and the address is unverified. */
  | { kind: 'email_not_verified'; userId: string }
