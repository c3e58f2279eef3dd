import { AppError } from '../errors.ts'
import { revokeUserSessions } from '../db/sessions.ts'
import { deleteUser, findUserById, selectEnabledAdminIds, updatePasswordHash } from '../db/users.ts'
import { assertAdminRemains, removesAdmin } from './admin/last-admin.ts'
import type { ServiceContext } from './context.ts'
import { NO_REQUEST_META, recordAuditEvent, type RequestMeta } from './audit.ts'
import { acceptNewPassword, MAX_PASSWORD_BYTES } from './password-policy.ts'

async function requireCurrentPassword(context: ServiceContext, userId: string, password: string) {
  const user = await findUserById(context.db, userId)
  if (!user)
    throw new AppError(401, 'invalid_token', 'The user no longer exists', {
      'www-authenticate': 'Bearer error="invalid_token"',
    })
  const ok =
    Buffer.byteLength(password, 'utf8') <= MAX_PASSWORD_BYTES &&
    (await context.passwords.verify(user.password_hash, password)).ok
  if (!ok) throw new AppError(403, 'invalid_credentials', 'Incorrect password')
  return user
}

/**
 * Changes the caller's password after checking the current one. Every other session is revoked (a
 * thief's included); the caller's own session stays, so the device that made the change stays signed in.
 */
export async function changePassword(
  context: ServiceContext,
  userId: string,
  currentSessionId: string,
  input: { current_password: string; new_password: string },
  meta: RequestMeta = NO_REQUEST_META,
): Promise<{ revokedSessions: number }> {
  const user = await requireCurrentPassword(context, userId, input.current_password)
  const password = acceptNewPassword(input.new_password, user.username)
  const passwordHash = await context.passwords.hash(password)
  const now = context.clock.now()
  const revokedSessions = await context.db.transaction().execute(async (trx) => {
    await updatePasswordHash(trx, userId, passwordHash, now)
    const revoked = await revokeUserSessions(trx, userId, now, 'password_changed', currentSessionId)
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
  userId: string,
  password: string,
  meta: RequestMeta = NO_REQUEST_META,
): Promise<void> {
  const user = await requireCurrentPassword(context, userId, password)
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
