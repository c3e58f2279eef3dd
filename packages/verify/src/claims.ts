/**
 * The claims of a verified Gatehouse access token (RFC 9068).
 *
 * `role` and `username` are copies made when the token was issued: they can be up to one token
 * lifetime stale. Gatehouse's own endpoints read the database instead; a resource server without a
 * database trusts the claim, or turns on `introspect` for routes where staleness matters.
 *
 * @example
 * ```ts
 * const claims: AccessTokenClaims = await verifier.verify(token)
 * console.log(claims.sub, claims.role)
 * ```
 */
export interface AccessTokenClaims {
  iss: string
  aud: string | string[]
  /** The user's immutable id, never the username. */
  sub: string
  client_id: string
  iat: number
  exp: number
  nbf?: number
  jti: string
  /** The session the token belongs to. */
  sid?: string
  scope?: string
  username?: string
  role?: string
  /** RFC 8176 methods the session's login proved, such as `["pwd", "otp", "mfa"]`. */
  amr?: string[]
  /** When that login happened, in seconds; a refresh keeps it. Compare it for step-up. */
  auth_time?: number
  [claim: string]: unknown
}
