import type { RequestMeta } from '../audit.ts'
import type { ServiceContext } from '../context.ts'
import type { TokenPair } from '../refresh-tokens.ts'
import type { RateLimitSink } from '../throttle/rate-limit-info.ts'

/** A token request's form parameters (RFC 6749 §4.3.2, §6), each present at most once. */
export type TokenParameters = Readonly<Record<string, string | undefined>>

/** What a grant receives: the parameters and where the request came from. */
export interface GrantRequest {
  parameters: TokenParameters
  meta: RequestMeta
  /** Receives the quota of whichever throttle the grant counts under. */
  onRateLimit?: RateLimitSink | undefined
  /** The Gatehouse-Device header, unchecked: the password grant passes it to the login pipeline. */
  deviceToken?: string | undefined
}

/** One `grant_type`: issues a token pair or throws (service errors; `toOAuthError` translates them). */
export type GrantHandler = (context: ServiceContext, request: GrantRequest) => Promise<TokenPair>
