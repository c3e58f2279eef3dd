import { deleteRecoveryCodes } from '../../db/recovery-codes.ts'
import { revokeUserSessions } from '../../db/sessions.ts'
import { deleteTotpFactor } from '../../db/totp-factors.ts'
import { deleteWebauthnCredentials } from '../../db/webauthn.ts'
import type { ServiceContext } from '../context.ts'
import { adminTransaction, type AdminActor } from './users.ts'

/**
 * DELETE /admin/users/{id}/mfa: removes every second factor of a user (TOTP, recovery codes, passkeys)
 * and revokes all their sessions, in one audited transaction. For a user who lost their device; under
 * a policy that requires a factor, their next login asks them to enroll again.
 */
export async function resetFactorsAsAdmin(
  context: ServiceContext,
  actor: AdminActor,
  id: string,
): Promise<{ revokedSessions: number }> {
  return adminTransaction(context, actor, id, async (trx, _target, _admins, now) => {
    const totp = await deleteTotpFactor(trx, id)
    const recoveryCodes = await deleteRecoveryCodes(trx, id)
    const passkeys = await deleteWebauthnCredentials(trx, id)
    const revokedSessions = await revokeUserSessions(trx, id, now, 'mfa_reset_by_admin')
    return {
      result: { revokedSessions },
      audit: {
        action: 'admin.user.mfa_reset',
        details: { totp, recovery_codes: recoveryCodes, passkeys, revoked_sessions: revokedSessions },
      },
    }
  })
}
