import { listLiveSessions, revokeSession, revokeUserSessions } from '../db/sessions.ts'
import { NO_REQUEST_META, recordAuditEvent, type RequestMeta } from './audit.ts'
import type { ServiceContext } from './context.ts'

/** One of the caller's live sessions, as their session list shows it. */
export interface OwnSession {
  id: string
  created_at: string
  last_used_at: string
  user_agent: string | null
  ip: string | null
  /** True for the session making the request. */
  current: boolean
}

/** The caller's live sessions, newest first, with the current one marked. */
export async function listOwnSessions(
  context: ServiceContext,
  userId: string,
  currentSessionId: string,
): Promise<OwnSession[]> {
  const rows = await listLiveSessions(context.db, userId, context.clock.now())
  return rows.map((row) => ({
    id: row.id,
    created_at: new Date(row.created_at).toISOString(),
    last_used_at: new Date(row.last_used_at).toISOString(),
    user_agent: row.user_agent,
    ip: row.ip,
    current: row.id === currentSessionId,
  }))
}

/** Ends one of the caller's sessions by id; false (a 404 for the route) when it is not theirs or not live. */
export async function revokeOwnSession(
  context: ServiceContext,
  userId: string,
  sessionId: string,
  meta: RequestMeta = NO_REQUEST_META,
): Promise<boolean> {
  const now = context.clock.now()
  return context.db.transaction().execute(async (trx) => {
    if (!(await revokeSession(trx, sessionId, now, 'user_revoked', userId))) return false
    await recordAuditEvent(trx, now, meta, {
      action: 'session.revoke',
      actorUserId: userId,
      targetUserId: userId,
      sessionId,
      details: { via: 'sessions' },
    })
    return true
  })
}

/** Ends all the caller's sessions, or all but the current one; returns how many were live. */
export async function revokeOwnSessions(
  context: ServiceContext,
  userId: string,
  exceptSessionId: string | undefined,
  meta: RequestMeta = NO_REQUEST_META,
): Promise<number> {
  const now = context.clock.now()
  return context.db.transaction().execute(async (trx) => {
    const revoked = await revokeUserSessions(trx, userId, now, 'user_revoked', exceptSessionId)
    if (revoked > 0) {
      await recordAuditEvent(trx, now, meta, {
        action: 'session.revoke',
        actorUserId: userId,
        targetUserId: userId,
        sessionId: exceptSessionId ?? null,
        details: { via: 'sessions', scope: exceptSessionId === undefined ? 'all' : 'others', revoked },
      })
    }
    return revoked
  })
}
