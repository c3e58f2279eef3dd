import { unauthorized } from '../errors.ts'
import { findSessionWithUser, insertSession, touchSession } from '../db/sessions.ts'
import { touchLastLogin, type UserRow } from '../db/users.ts'
import type { ServiceContext } from './context.ts'
import { recordAuditEvent, type RequestMeta } from './audit.ts'
import { newId } from './random.ts'
import { insertNewRefreshToken, type TokenPair } from './refresh-tokens.ts'
import { signAccessToken } from './tokens/sign.ts'
import { TokenError, verifyAccessToken } from './tokens/verify.ts'
import type { AccessTokenClaims } from './tokens/claims.ts'

// last_used_at is bookkeeping, not security: writing it at most once a minute keeps writes off the hot path.
const LAST_USED_WRITE_INTERVAL_MS = 60_000

/** Where a login came from, kept on the session for the user's own session list and the audit log. */
export type ClientInfo = RequestMeta

/** The identity behind an authenticated request, read from the database, not from the token. */
export interface Authenticated {
  claims: AccessTokenClaims
  sessionId: string
  user: { id: string; username: string; role: string; created_at: number; updated_at: number }
}

/**
 * Opens a session for a user who just proved their password: the session row, its first refresh
 * token and the `login.success` audit record are written in one transaction, then the first access
 * token is signed.
 */
export async function startSession(
  context: ServiceContext,
  user: Pick<UserRow, 'id' | 'username' | 'role'>,
  client: ClientInfo,
): Promise<TokenPair> {
  const now = context.clock.now()
  const sessionId = newId()
  // The absolute lifetime counts from login; rotating refresh tokens never extends it.
  const expiresAt = now + context.config.refreshTokenAbsoluteTtlSeconds * 1000
  const refresh = await context.db.transaction().execute(async (trx) => {
    await insertSession(trx, {
      id: sessionId,
      user_id: user.id,
      created_at: now,
      last_used_at: now,
      expires_at: expiresAt,
      revoked_at: null,
      revoked_reason: null,
      user_agent: client.userAgent?.slice(0, 512) ?? null,
      ip: client.ip,
    })
    await touchLastLogin(trx, user.id, now)
    await recordAuditEvent(trx, now, client, {
      action: 'login.success',
      actorUserId: user.id,
      targetUserId: user.id,
      sessionId,
    })
    return insertNewRefreshToken(trx, context, sessionId, expiresAt, null, now)
  })
  const access = await signAccessToken(
    context.keys,
    context.config,
    { userId: user.id, username: user.username, role: user.role, sessionId },
    now,
  )
  return { access, refreshToken: refresh.token, sessionId }
}

const BEARER = /^Bearer +([^\s]+) *$/i

/**
 * Authenticates a request from its Authorization header: the signature with the one algorithm bound to
 * the kid, then the session and the user in one query. A revoked or expired session, or a deleted or
 * disabled user, is refused at once; no cache sits between revocation and this check.
 */
export async function authenticateAccessToken(
  context: ServiceContext,
  authorization: string | undefined,
): Promise<Authenticated> {
  if (authorization === undefined || authorization === '') {
    throw unauthorized('not_authenticated', 'Not authenticated')
  }
  const match = BEARER.exec(authorization)
  if (!match?.[1]) throw unauthorized('invalid_token', 'Invalid token')
  return authenticateToken(context, match[1])
}

/** Verifies an access token and checks its session and user are live; used by requests and /introspect. */
export async function authenticateToken(context: ServiceContext, token: string): Promise<Authenticated> {
  const { claims, kid } = await verifyWithKeyPickup(context, token)
  const now = context.clock.now()
  const row = await findSessionWithUser(context.db, claims.sid, kid)
  if (!row || row.session_user_id !== claims.sub) throw unauthorized('invalid_token', 'Invalid token')
  // A key retired early (`gatehouse keys retire`) stops verifying here at once, on every instance.
  const keyIsStored = !kid.startsWith('hs256-')
  if (
    keyIsStored &&
    (row.key_kid === null || (row.key_published_until !== null && row.key_published_until <= now))
  ) {
    throw unauthorized('invalid_token', 'Invalid token')
  }
  if (row.session_revoked_at !== null || row.session_expires_at <= now) {
    throw unauthorized('invalid_token', 'Session has ended')
  }
  if (row.disabled_at !== null) throw unauthorized('invalid_token', 'Invalid token')
  if (row.session_last_used_at < now - LAST_USED_WRITE_INTERVAL_MS) {
    await touchSession(context.db, row.session_id, now, now - LAST_USED_WRITE_INTERVAL_MS)
  }
  return {
    claims,
    sessionId: row.session_id,
    user: {
      id: row.user_id,
      username: row.username,
      role: row.role,
      created_at: row.created_at,
      updated_at: row.updated_at,
    },
  }
}

/** Verifies a token, and names the kid its header used, so the per-request query can check that key. */
async function verifyWithKeyPickup(
  context: ServiceContext,
  token: string,
): Promise<{ claims: AccessTokenClaims; kid: string }> {
  // The verifier already parsed the header to look the key up; keep that kid instead of parsing again.
  let kid = ''
  const verify = () => ({
    claims: verifyAccessToken(token, {
      lookupKey: (headerKid) => {
        kid = headerKid
        return context.keys.verificationKey(headerKid)
      },
      issuer: context.config.issuer,
      audience: context.config.audience,
      nowSeconds: Math.floor(context.clock.now() / 1000),
      leewaySeconds: context.config.clockSkewSeconds,
    }),
    kid,
  })
  try {
    return verify()
  } catch (error) {
    if (!(error instanceof TokenError)) throw error
    // Another instance may have created a key we have not loaded yet: reload once, rate-limited.
    if (error.reason === 'unknown_kid' && (await context.keys.reloadIfCoolingDownEnded())) {
      try {
        return verify()
      } catch (retryError) {
        if (retryError instanceof TokenError) throw unauthorized('invalid_token', 'Invalid token')
        throw retryError
      }
    }
    if (error.reason === 'expired') throw unauthorized('invalid_token', 'Token has expired')
    throw unauthorized('invalid_token', 'Invalid token')
  }
}
