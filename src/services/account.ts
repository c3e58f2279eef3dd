import { revokeOneTimeSecrets } from '../db/one-time-secrets.ts'
import { revokeUserSessions } from '../db/sessions.ts'
import { EMAIL_PURPOSES } from './email/issue.ts'
import { deleteUser, replacePasswordHash, selectEnabledAdminIds } from '../db/users.ts'
import { AppError } from '../errors.ts'
import { assertAdminRemains, removesAdmin } from './admin/last-admin.ts'
import type { ServiceContext } from './context.ts'
import { recordAuditEvent, type RequestMeta } from './audit.ts'
import { confirmCurrentPassword } from './login/reauthenticate.ts'
import { requireStepUp } from './mfa/step-up.ts'
import { acceptNewPassword } from './password-policy.ts'
import type { RateLimitSink } from './throttle/rate-limit-info.ts'

/** The signed-in caller of an account change. */
export interface AccountCaller {
  userId: string
  username: string
  sessionId: string
  meta: RequestMeta
  /** Receives the login quota the current-password check counts under. */
  onRateLimit?: RateLimitSink | undefined
}

/**
 * Changes the caller's password after checking the current one. Every other session is revoked (a
 * thief's included); the caller's own session stays, so the device that made the change stays signed in.
 */
export async function changePassword(
  context: ServiceContext,
  caller: AccountCaller,
  input: { current_password: string; new_password: string; code?: string | undefined },
): Promise<{ revokedSessions: number }> {
  const { userId, sessionId: currentSessionId, meta } = caller
  // Step-up (issue 12): a recent login, or the current password plus a code when the account has TOTP.
  await requireStepUp(context, caller, { password: input.current_password, code: input.code })
  const user = await confirmCurrentPassword(context, { ...caller, password: input.current_password })
  const password = acceptNewPassword(input.new_password, user.username)
  const passwordHash = await context.passwords.hash(password)
  const now = context.clock.now()
  const revokedSessions = await context.db.transaction().execute(async (trx) => {
    // Two parallel changes both proved the same old password; only the first may land, or both callers
    // would be told "changed" while one of the new passwords does not work (issue 16, races suite).
    if (!(await replacePasswordHash(trx, userId, user.password_hash, passwordHash, now))) {
      throw new AppError(403, 'invalid_credentials', 'Incorrect password')
    }
    const revoked = await revokeUserSessions(trx, userId, now, 'password_changed', currentSessionId)
    // A reset link mailed before the change must not undo it.
    await revokeOneTimeSecrets(trx, userId, now, EMAIL_PURPOSES.reset)
    await recordAuditEvent(trx, now, meta, {
      action: 'password.change',
      actorUserId: userId,
      targetUserId: userId,
      sessionId: currentSessionId,
      details: { revoked_sessions: revoked },
    })
    return revoked
  })
  return { revokedSessions }
}

/** Deletes the caller's account after checking the password; sessions and refresh tokens go with it. */
export async function deleteAccount(
  context: ServiceContext,
  caller: AccountCaller,
  password: string,
  code?: string,
): Promise<void> {
  const { userId, meta } = caller
  await requireStepUp(context, caller, { password, code })
  const user = await confirmCurrentPassword(context, { ...caller, password })
  const now = context.clock.now()
  await context.db.transaction().execute(async (trx) => {
    // The last enabled admin may not delete themself here either; the admin API has the same guard.
    if (removesAdmin(user, { deleted: true })) {
      assertAdminRemains(await selectEnabledAdminIds(trx, context.dialect === 'postgres'), user, {
        deleted: true,
      })
    }
    if (!(await deleteUser(trx, userId))) return
    // The row outlives the user on purpose (audit_events has no foreign key), keeping the name for readers.
    await recordAuditEvent(trx, now, meta, {
      action: 'account.delete',
      actorUserId: userId,
      targetUserId: userId,
      details: { username: user.username },
    })
  })
}
