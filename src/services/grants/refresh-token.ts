import { OAuthError } from '../../errors.ts'
import { rotateRefreshToken } from '../refresh-tokens.ts'
import type { GrantHandler } from './types.ts'

/** `grant_type=refresh_token` (RFC 6749 §6): rotation with reuse detection, throttled per IP on failures. */
export const refreshTokenGrant: GrantHandler = async (context, { parameters, meta, onRateLimit }) => {
  const presented = parameters.refresh_token
  if (presented === undefined) throw new OAuthError('invalid_request', 'refresh_token is required')
  // RFC 6749 §6 lets a refresh narrow the scope; Gatehouse grants none, so asking for one is refused exactly
  // as the password grant refuses it (issue 16, finding 7: the scope used to be ignored with a 200).
  if (parameters.scope !== undefined && parameters.scope.trim() !== '') {
    throw new OAuthError('invalid_scope', 'This server grants no scopes')
  }
  const failures = context.throttles.refreshFailures
  const ip = meta.ip ?? 'unknown'
  onRateLimit?.(await failures.check(ip))
  try {
    return await rotateRefreshToken(context, presented, meta)
  } catch (error) {
    // Counted per IP: a client walking through guessed refresh tokens is throttled.
    if (error instanceof OAuthError && error.error === 'invalid_grant') await failures.recordFailure(ip)
    throw error
  }
}
