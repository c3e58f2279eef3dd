import { AppError } from '../../errors.ts'
import { listLiveSessions, revokeUserSessions } from '../../db/sessions.ts'
import { findUserById } from '../../db/users.ts'
import type { ServiceContext } from '../context.ts'
import { adminTransaction, type AdminActor } from './users.ts'

/** A session as admins see it. */
export interface AdminSessionView {
  id: string
  created_at: string
  last_used_at: string
  expires_at: string
  user_agent: string | null
  ip: string | null
}

/** A user's live sessions, newest first; 404 for an unknown user (not an empty list). */
export async function listUserSessionsForAdmin(
  context: ServiceContext,
  id: string,
): Promise<AdminSessionView[]> {
  if (!(await findUserById(context.db, id))) throw new AppError(404, 'not_found', 'User not found')
  const rows = await listLiveSessions(context.db, id, context.clock.now())
  return rows.map((row) => ({
    id: row.id,
    created_at: new Date(row.created_at).toISOString(),
    last_used_at: new Date(row.last_used_at).toISOString(),
    expires_at: new Date(row.expires_at).toISOString(),
    user_agent: row.user_agent,
    ip: row.ip,
  }))
}

/** Revokes every live session of a user: their refresh tokens now, their access tokens on next use. */
export async function revokeUserSessionsAsAdmin(
  context: ServiceContext,
  actor: AdminActor,
  id: string,
): Promise<{ revoked: number }> {
  return adminTransaction(context, actor, id, async (trx, _target, _admins, now) => {
    const revoked = await revokeUserSessions(trx, id, now, 'revoked_by_admin')
    return { result: { revoked }, audit: { action: 'admin.sessions.revoke', details: { revoked } } }
  })
}
