import type { UserRow } from '../../db/users.ts'
import type { RequestMeta } from '../audit.ts'
import type { ServiceContext } from '../context.ts'
import { startSession } from '../sessions.ts'
import type { AuthenticationProof, LoginResult } from './types.ts'

/**
 * The one place a login goes once a first factor is proven, whichever door it came through. Anything
 * that must hold before tokens are issued (a second factor, an enrollment policy) is decided here,
 * so no path can skip it.
 */
export async function completeLogin(
  context: ServiceContext,
  user: Pick<UserRow, 'id' | 'username' | 'role' | 'email_verified'>,
  _proof: AuthenticationProof,
  meta: RequestMeta,
): Promise<LoginResult> {
  // GATEHOUSE_REQUIRE_VERIFIED_EMAIL: decided only now, after the password was right (issue 11).
  if (context.config.email.requireVerifiedEmail && user.email_verified !== 1) {
    return { kind: 'email_not_verified', userId: user.id }
  }
  const pair = await startSession(context, user, meta)
  return { kind: 'tokens', pair, userId: user.id }
}
