import type { UserRow } from '../../db/users.ts'
import type { RequestMeta } from '../audit.ts'
import type { ServiceContext } from '../context.ts'
import { emailNotVerified } from '../email/errors.ts'
import { sendVerificationIfUnverified } from '../email/verification.ts'
import { secondFactorStep } from '../mfa/gate.ts'
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
  proof: AuthenticationProof,
  meta: RequestMeta,
): Promise<LoginResult> {
  // GATEHOUSE_REQUIRE_VERIFIED_EMAIL: decided only now, after the password was right (issue 11).
  if (context.config.email.requireVerifiedEmail && user.email_verified !== 1) {
    // The uniform 401 every door gives; the person cannot sign in to ask for a link, so one goes out.
    await sendVerificationIfUnverified(context, user.id, meta)
    throw emailNotVerified()
  }
  // Second factor (issue 12): no tokens until the proof holds one, when the account has one or policy
  // requires one.
  const secondFactor = await secondFactorStep(context, user, proof)
  if (secondFactor) return secondFactor

  const pair = await startSession(context, user, meta, proof)
  return { kind: 'tokens', pair, userId: user.id }
}
