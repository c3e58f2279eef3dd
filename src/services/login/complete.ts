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
  user: Pick<UserRow, 'id' | 'username' | 'role'>,
  _proof: AuthenticationProof,
  meta: RequestMeta,
): Promise<LoginResult> {
  const pair = await startSession(context, user, meta)
  return { kind: 'tokens', pair, userId: user.id }
}
