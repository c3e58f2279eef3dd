import { findUserById, type UserRow } from '../../db/users.ts'
import type { ServiceContext } from '../context.ts'
import type { AuthenticationProof, LoginResult } from '../login/types.ts'
import { factorRequired, SECOND_FACTOR_PROOFS, secondFactorMethods } from './factors.ts'
import { issueMfaToken } from './mfa-token.ts'

/**
 * The second-factor step of every login, called by `completeLogin`: undefined when the proof already
 * holds a second factor (or the account needs none), otherwise the answer that asks for it (with an
 * mfa_token) or, when policy requires a factor the account lacks, for its enrollment.
 */
export async function secondFactorStep(
  context: ServiceContext,
  user: Pick<UserRow, 'id' | 'role'>,
  proof: AuthenticationProof,
): Promise<LoginResult | undefined> {
  if (proof.methods.some((method) => SECOND_FACTOR_PROOFS.has(method))) return undefined
  const methods = await secondFactorMethods(context.db, user.id)
  const required = factorRequired(context.config, user.role)
  if (methods.length === 0 && !required) return undefined
  // The password hash is part of the token's binding; the caller's row may be a narrower pick.
  const row = await findUserById(context.db, user.id)
  if (!row) return undefined
  if (methods.length > 0) {
    const mfaToken = await issueMfaToken(context, row, proof.methods, 'mfa_token')
    // Not an audit event (the login is not over); counted here, where every door's second step is decided.
    context.metrics.logins.inc({ outcome: 'mfa_required' })
    return { kind: 'mfa_required', mfaToken, methods, userId: user.id }
  }
  const mfaToken = await issueMfaToken(context, row, proof.methods, 'mfa_enrollment')
  return { kind: 'mfa_enrollment_required', mfaToken, userId: user.id }
}
