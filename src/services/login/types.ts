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

/** A way to give a second factor, as the `methods` of an mfa_required answer list them. */
export type SecondFactorMethod = 'totp' | 'recovery_code' | 'webauthn'

/**
 * Where a login ends: tokens, or a further step the client must take first (a second factor, or its
 * enrollment when policy requires one). Every caller must handle each kind.
 */
export type LoginResult =
  | { kind: 'tokens'; pair: TokenPair; userId: string }
  | { kind: 'mfa_required'; mfaToken: string; methods: SecondFactorMethod[]; userId: string }
  | { kind: 'mfa_enrollment_required'; mfaToken: string; userId: string }
