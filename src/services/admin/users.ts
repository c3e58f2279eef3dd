import type { Transaction } from 'kysely'
import { AppError } from '../../errors.ts'
import type { Database } from '../../db/schema.ts'
import { revokeOneTimeSecrets } from '../../db/one-time-secrets.ts'
import { countLiveSessions, revokeUserSessions } from '../../db/sessions.ts'
import {
  deleteUser,
  findUserById,
  listUsersPage,
  updatePasswordHash,
  updateUserFields,
  type UserRow,
} from '../../db/users.ts'
import { recordAuditEvent, type AuditEventInput, type RequestMeta } from '../audit.ts'
import type { ServiceContext } from '../context.ts'
import { EMAIL_PURPOSES } from '../email/issue.ts'
import { summarizeFactors, type FactorSummary } from '../mfa/factors.ts'
import { requireStepUp } from '../mfa/step-up.ts'
import { conflictOnUniqueViolation } from '../unique-conflict.ts'
import { acceptNewPassword } from '../password-policy.ts'
import { canonicalUsername, normalizeNewUsername } from '../usernames.ts'
import { assertKnownRole, createUser, usernameTaken } from '../users.ts'
import { readKeysetPage, type Page } from './cursor.ts'
import { assertAdminRemains, lockAdmins } from './last-admin.ts'

/** The admin making a request, as the audit log records them. */
export interface AdminActor {
  userId: string
  sessionId: string
  meta: RequestMeta
}

/** A user as admins see it: more than the public view, still never the password hash. */
export interface AdminUserView {
  id: string
  username: string
  role: string
  disabled: boolean
  disabled_at: string | null
  created_at: string
  updated_at: string
  last_login_at: string | null
  email: string | null
  email_verified: boolean
}

const iso = (time: number) => new Date(time).toISOString()
const isoOrNull = (time: number | null) => (time === null ? null : iso(time))

/** Converts a stored row to the admin view. */
export function toAdminUser(row: UserRow): AdminUserView {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    disabled: row.disabled_at !== null,
    disabled_at: isoOrNull(row.disabled_at),
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    last_login_at: isoOrNull(row.last_login_at),
    email: row.email,
    email_verified: row.email_verified === 1,
  }
}

function notFound(): AppError {
  return new AppError(404, 'not_found', 'User not found')
}

/** Reads a user back after a change; a user deleted in between is a 404, not a crash. */
async function reloadUser(db: Parameters<typeof findUserById>[0], id: string): Promise<AdminUserView> {
  const user = await findUserById(db, id)
  if (!user) throw notFound()
  return toAdminUser(user)
}

/**
 * Runs an admin change in one transaction: the admin rows are locked and the actor re-checked first,
 * the target is read after the lock (so it reflects any change that just committed), and the audit
 * record is written in the same transaction as the change.
 */
export async function adminTransaction<T>(
  context: ServiceContext,
  actor: AdminActor,
  targetId: string,
  change: (
    trx: Transaction<Database>,
    target: UserRow,
    admins: string[],
    now: number,
  ) => Promise<{
    result: T
    audit: AuditEventInput
  }>,
): Promise<T> {
  return context.db.transaction().execute(async (trx) => {
    const admins = await lockAdmins(context, trx, actor.userId)
    const target = await findUserById(trx, targetId)
    if (!target) throw notFound()
    const now = context.clock.now()
    const { result, audit } = await change(trx, target, admins, now)
    await recordAuditEvent(trx, now, actor.meta, {
      ...audit,
      actorUserId: actor.userId,
      sessionId: actor.sessionId,
      targetUserId: target.id,
    })
    return result
  })
}

/** Query parameters of GET /admin/users, as strings (query coercion is off). */
export interface UserListQuery {
  limit?: string
  cursor?: string
  q?: string
  role?: string
  disabled?: 'true' | 'false'
}

/** One page of users and the cursor of the next page (null on the last). */
export async function listUsersForAdmin(
  context: ServiceContext,
  query: UserListQuery,
): Promise<Page<AdminUserView>> {
  return readKeysetPage(query, {
    defaultLimit: 50,
    maxLimit: 200,
    fetchRows: (limit, after) =>
      listUsersPage(context.db, {
        limit,
        ...(query.q !== undefined ? { canonicalPrefix: canonicalUsername(query.q) } : {}),
        ...(query.role !== undefined ? { role: query.role } : {}),
        ...(query.disabled !== undefined ? { disabled: query.disabled === 'true' } : {}),
        ...(after ? { after: { createdAt: after.time, id: after.id } } : {}),
      }),
    positionOf: (row) => ({ time: row.created_at, id: row.id }),
    toItem: toAdminUser,
  })
}

/** One user with their live session count and second factors. */
export async function getUserForAdmin(
  context: ServiceContext,
  id: string,
): Promise<AdminUserView & { session_count: number; mfa: FactorSummary }> {
  const user = await findUserById(context.db, id)
  if (!user) throw notFound()
  const sessionCount = await countLiveSessions(context.db, id, context.clock.now())
  return { ...toAdminUser(user), session_count: sessionCount, mfa: await summarizeFactors(context.db, id) }
}

/** Creates a user with the registration policy; the role must be a known one. */
export async function createUserAsAdmin(
  context: ServiceContext,
  actor: AdminActor,
  input: { username: string; password: string; role?: string },
): Promise<AdminUserView> {
  const created = await createUser(
    context,
    { ...input, role: input.role ?? 'user' },
    { meta: actor.meta, actorUserId: actor.userId, action: 'admin.user.create' },
  )
  return reloadUser(context.db, created.id)
}

/** A partial update from PATCH /admin/users/{id}. */
export interface AdminUserPatch {
  role?: string
  disabled?: boolean
  username?: string
  /** Step-up proof for a role change when the admin's login is older than GATEHOUSE_REAUTH_MAX_AGE. */
  current_password?: string
  code?: string
}

/**
 * Changes role, disabled state or username. Disabling revokes every session in the same transaction;
 * a role change needs no revocation because every request reads the role from the database.
 */
export async function updateUserAsAdmin(
  context: ServiceContext,
  actor: AdminActor,
  id: string,
  patch: AdminUserPatch,
): Promise<AdminUserView> {
  if (patch.role !== undefined) assertKnownRole(context.config, patch.role)
  // Step-up (issue 12): a role change needs a recent login, or the admin's password and a code.
  if (patch.role !== undefined) {
    await requireStepUp(context, actor, { password: patch.current_password, code: patch.code })
  }
  const newName = patch.username === undefined ? undefined : normalizeNewUsername(patch.username)
  return conflictOnUniqueViolation(usernameTaken, () =>
    adminTransaction(context, actor, id, async (trx, target, admins, now) => {
      assertAdminRemains(admins, target, patch)
      const changes: Record<string, { from: unknown; to: unknown }> = {}
      const fields: Parameters<typeof updateUserFields>[2] = {}
      if (patch.role !== undefined && patch.role !== target.role) {
        fields.role = patch.role
        changes.role = { from: target.role, to: patch.role }
      }
      if (patch.disabled !== undefined && patch.disabled !== (target.disabled_at !== null)) {
        fields.disabled_at = patch.disabled ? now : null
        changes.disabled = { from: !patch.disabled, to: patch.disabled }
      }
      if (newName !== undefined && newName.display !== target.username) {
        fields.username = newName.display
        fields.username_canonical = newName.canonical
        fields.username_skeleton = newName.skeleton
        changes.username = { from: target.username, to: newName.display }
      }
      if (Object.keys(fields).length > 0) await updateUserFields(trx, id, fields, now)
      const revoked =
        patch.disabled === true ? await revokeUserSessions(trx, id, now, 'disabled_by_admin') : 0
      return {
        result: await reloadUser(trx, id),
        audit: { action: 'admin.user.update', details: { changes, revoked_sessions: revoked } },
      }
    }),
  )
}

/** Sets a user's password under the registration policy and revokes all their sessions. */
export async function resetPasswordAsAdmin(
  context: ServiceContext,
  actor: AdminActor,
  id: string,
  newPassword: string,
): Promise<{ revokedSessions: number }> {
  const user = await findUserById(context.db, id)
  if (!user) throw notFound()
  // Hashed before the transaction: argon2 is slow, and the admin rows must not stay locked meanwhile.
  const passwordHash = await context.passwords.hash(acceptNewPassword(newPassword, user.username))
  return adminTransaction(context, actor, id, async (trx, _target, _admins, now) => {
    await updatePasswordHash(trx, id, passwordHash, now)
    const revokedSessions = await revokeUserSessions(trx, id, now, 'password_reset_by_admin')
    await revokeOneTimeSecrets(trx, id, now, EMAIL_PURPOSES.reset)
    return {
      result: { revokedSessions },
      audit: { action: 'admin.user.password_reset', details: { revoked_sessions: revokedSessions } },
    }
  })
}

/** Deletes a user; their sessions and refresh tokens go with them, so their tokens die at once. */
export async function deleteUserAsAdmin(
  context: ServiceContext,
  actor: AdminActor,
  id: string,
): Promise<void> {
  await adminTransaction(context, actor, id, async (trx, target, admins) => {
    assertAdminRemains(admins, target, { deleted: true })
    await deleteUser(trx, id)
    return {
      result: undefined,
      audit: { action: 'admin.user.delete', details: { username: target.username, role: target.role } },
    }
  })
}
