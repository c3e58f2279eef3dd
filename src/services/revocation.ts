import { AppError } from '../errors.ts'
import { findRefreshTokenByHash } from '../db/refresh-tokens.ts'
import { findSessionWithUser, revokeSession, revokeUserSessions } from '../db/sessions.ts'
import type { ServiceContext } from './context.ts'
import { NO_REQUEST_META, recordAuditEvent, type RequestMeta } from './audit.ts'
import { hashRefreshToken, looksLikeRefreshToken } from './refresh-tokens.ts'
import { authenticateToken } from './sessions.ts'
import { verifyAccessToken } from './tokens/verify.ts'

/** RFC 7662 §2.2: everything inactive gets exactly this, so nothing is learnt about why. */
export const INACTIVE = Object.freeze({ active: false as const })

/** An RFC 7662 introspection answer. */
export type IntrospectionResponse = typeof INACTIVE | ({ active: true } & Record<string, unknown>)

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
  const now = context.clock.now()
  if (looksLikeRefreshToken(token)) {
    const row = await findRefreshTokenByHash(context.db, hashRefreshToken(token))
    if (row) await endSession(context, row.session_id, row.user_id, 'revoked', meta, { via: 'rfc7009' })
    return
  }
  let sessionId: string
  let subject: string
  try {
    const claims = verifyAccessToken(token, {
      lookupKey: (kid) => context.keys.verificationKey(kid),
      issuer: context.config.issuer,
      audience: context.config.audience,
      nowSeconds: Math.floor(now / 1000),
      leewaySeconds: context.config.clockSkewSeconds,
    })
    sessionId = claims.sid
    subject = claims.sub
  } catch {
    return
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

/** RFC 7662 introspection of an access or refresh token. */
export async function introspectToken(
  context: ServiceContext,
  token: string,
): Promise<IntrospectionResponse> {
  if (looksLikeRefreshToken(token)) return introspectRefreshToken(context, token)
  try {
    const { claims, user } = await authenticateToken(context, token)
    return {
      active: true,
      sub: claims.sub,
      username: user.username,
      scope: claims.scope ?? '',
      client_id: claims.client_id,
      exp: claims.exp,
      iat: claims.iat,
      iss: claims.iss,
      aud: claims.aud,
      jti: claims.jti,
      sid: claims.sid,
      token_type: 'Bearer',
    }
  } catch (error) {
    if (error instanceof AppError && error.statusCode === 401) return INACTIVE
    throw error
  }
}

async function introspectRefreshToken(
  context: ServiceContext,
  token: string,
): Promise<IntrospectionResponse> {
  const row = await findRefreshTokenByHash(context.db, hashRefreshToken(token))
  const now = context.clock.now()
  if (
    !row ||
    row.rotated_at !== null ||
    row.idle_expires_at <= now ||
    row.session_revoked_at !== null ||
    row.session_expires_at <= now ||
    row.disabled_at !== null
  ) {
    return INACTIVE
  }
  return {
    active: true,
    sub: row.user_id,
    username: row.username,
    scope: '',
    client_id: 'gatehouse',
    exp: Math.floor(row.idle_expires_at / 1000),
    iat: Math.floor(row.created_at / 1000),
    iss: context.config.issuer,
    sid: row.session_id,
    token_type: 'refresh_token',
  }
}
