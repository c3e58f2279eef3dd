import { findRefreshTokenByHash } from '../db/refresh-tokens.ts'
import { findSessionWithUser, revokeSession } from '../db/sessions.ts'
import type { ServiceContext } from './context.ts'
import { NO_REQUEST_META, recordAuditEvent, type RequestMeta } from './audit.ts'
import { hashRefreshToken, looksLikeRefreshToken } from './refresh-tokens.ts'
import { verifyTokenSignature } from './tokens/authenticate.ts'
import { TokenError } from './tokens/verify.ts'

/**
 * RFC 7009 revocation. Possession of the token is the proof of the right to revoke it, so this never
 * needs (or reveals) who owns it; unknown or malformed tokens are silently accepted. The hint is only
 * a hint: both kinds are always tried.
 */
export async function revokeToken(
  context: ServiceContext,
  token: string,
  meta: RequestMeta = NO_REQUEST_META,
): Promise<void> {
  if (looksLikeRefreshToken(token)) {
    const row = await findRefreshTokenByHash(context.db, hashRefreshToken(token))
    if (row) await endSession(context, row.session_id, row.user_id, 'revoked', meta, { via: 'rfc7009' })
    return
  }
  let sessionId: string
  let subject: string
  try {
    const { claims } = await verifyTokenSignature(context, token)
    sessionId = claims.sid
    subject = claims.sub
  } catch (error) {
    if (error instanceof TokenError) return
    throw error
  }
  const session = await findSessionWithUser(context.db, sessionId)
  if (session && session.session_user_id === subject)
    await endSession(context, sessionId, subject, 'revoked', meta, { via: 'rfc7009' })
}

/** Revokes a session and records it in the same transaction; nothing is recorded if it was already over. */
async function endSession(
  context: ServiceContext,
  sessionId: string,
  userId: string,
  reason: 'revoked' | 'logout',
  meta: RequestMeta,
  details?: Record<string, unknown>,
): Promise<boolean> {
  const now = context.clock.now()
  return context.db.transaction().execute(async (trx) => {
    if (!(await revokeSession(trx, sessionId, now, reason))) return false
    await recordAuditEvent(trx, now, meta, {
      action: reason === 'logout' ? 'session.logout' : 'session.revoke',
      actorUserId: userId,
      targetUserId: userId,
      sessionId,
      details,
    })
    return true
  })
}

/** Ends the caller's own session: its refresh family now, its access tokens on their next request. */
export async function logout(
  context: ServiceContext,
  sessionId: string,
  meta: RequestMeta = NO_REQUEST_META,
): Promise<void> {
  const session = await findSessionWithUser(context.db, sessionId)
  if (session) await endSession(context, sessionId, session.session_user_id, 'logout', meta)
}
