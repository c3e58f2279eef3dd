import { OAuthError } from '../../errors.ts'
import { logInWithPassword } from '../login/password.ts'
import { pairOrMfaError } from './login-result.ts'
import type { GrantHandler } from './types.ts'

/**
 * `grant_type=password` (RFC 6749 §4.3), deprecated by RFC 9700 §2.4 and kept for first-party and seed
 * clients: it goes through the same login pipeline and throttle as /login.
 */
export const passwordGrant: GrantHandler = async (
  context,
  { parameters, meta, onRateLimit, deviceToken },
) => {
  const { username, password, scope } = parameters
  if (username === undefined || password === undefined) {
    throw new OAuthError('invalid_request', 'username and password are required')
  }
  // RFC 6749 §3.3: the server decides the scope. Gatehouse grants none, so asking for one is refused.
  if (scope !== undefined && scope.trim() !== '') {
    throw new OAuthError('invalid_scope', 'This server grants no scopes')
  }
  const result = await logInWithPassword(context, {
    identifier: username,
    password,
    meta,
    channel: 'token',
    onRateLimit,
    deviceToken,
  })
  // An account with a second factor gets 403 mfa_required and an mfa_token instead (issue 12).
  return pairOrMfaError(result)
}
