import { createHash } from 'node:crypto'
import { OAuthError } from '../errors.ts'
import {
  findRefreshTokenByHash,
  findRefreshTokenChild,
  insertRefreshToken,
  markRefreshTokenRotated,
  type RefreshTokenWithSession,
} from '../db/refresh-tokens.ts'
import { revokeSession } from '../db/sessions.ts'
import type { Executor } from '../db/schema.ts'
import type { ServiceContext } from './context.ts'
import { NO_REQUEST_META, recordAuditEvent, type RequestMeta } from './audit.ts'
import { sessionMeetsFactorPolicy } from './mfa/factors.ts'
import { newId, randomToken } from './random.ts'
import { signAccessToken, type IssuedAccessToken } from './tokens/sign.ts'

/** Every refresh token starts with this, so secret scanners can recognise a leaked one. */
export const REFRESH_TOKEN_PREFIX = 'ghr_'
const REFRESH_TOKEN_PATTERN = /^ghr_[A-Za-z0-9_-]{43}$/

/** An access token and the refresh token that goes with it. */
export interface TokenPair {
  access: IssuedAccessToken
  refreshToken: string
  sessionId: string
  /** Set by password logins only: the client's device token (services/login/device-tokens.ts). */
  deviceToken?: string
}

/** The stored form of a refresh token. 256 random bits need no slow hash; SHA-256 makes a leaked table useless. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url')
}

/** True when the string has the shape of one of our refresh tokens. */
export function looksLikeRefreshToken(token: string): boolean {
  return REFRESH_TOKEN_PATTERN.test(token)
}

/** Creates and stores a refresh token for a session; returns the token, which is never stored. */
export async function insertNewRefreshToken(
  db: Executor,
  context: ServiceContext,
  sessionId: string,
  sessionExpiresAt: number,
  parentId: string | null,
  now: number,
): Promise<{ id: string; token: string }> {
  const token = `${REFRESH_TOKEN_PREFIX}${randomToken(32)}`
  const id = newId()
  await insertRefreshToken(db, {
    id,
    session_id: sessionId,
    token_hash: hashRefreshToken(token),
    parent_id: parentId,
    created_at: now,
    // The idle lifetime restarts at each rotation, but never past the session's absolute end.
    idle_expires_at: Math.min(now + context.config.refreshTokenIdleTtlSeconds * 1000, sessionExpiresAt),
    rotated_at: null,
    grace_response_sealed: null,
  })
  return { id, token }
}

function invalidGrant(): OAuthError {
  return new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked')
}

interface SealedPair {
  access_token: string
  expires_at: number
  expires_in: number
  refresh_token: string
}

/**
 * Exchanges a refresh token for a new pair (RFC 6749 §6) and retires the old one. Presenting a token
 * that was already rotated revokes the whole session (RFC 9700 §4.14.2), except that inside the
 * optional grace window a retry of the newest parent gets the very same successor pair back.
 */
export async function rotateRefreshToken(
  context: ServiceContext,
  presented: string,
  meta: RequestMeta = NO_REQUEST_META,
): Promise<TokenPair> {
  if (!looksLikeRefreshToken(presented)) throw invalidGrant()
  const tokenHash = hashRefreshToken(presented)
  const row = await findRefreshTokenByHash(context.db, tokenHash)
  if (!row) throw invalidGrant()
  const now = context.clock.now()
  if (!isSessionUsable(row, now)) throw invalidGrant()
  // GATEHOUSE_MFA (issue 12): a session opened without a second factor is not renewed once policy
  // requires one of this account (the policy was turned on, or the user became an admin).
  if (!sessionMeetsFactorPolicy(context.config, row.role, row.session_amr)) throw invalidGrant()
  if (row.rotated_at !== null) return answerReuse(context, row, now, meta)
  if (row.idle_expires_at <= now) throw invalidGrant()

  // Sign before the transaction so it stays short; a lost race just throws this pair away.
  const successorToken = `${REFRESH_TOKEN_PREFIX}${randomToken(32)}`
  const access = await signAccessToken(
    context.keys,
    context.config,
    {
      userId: row.user_id,
      username: row.username,
      role: row.role,
      sessionId: row.session_id,
      // What the login proved, as the session stored it: a refresh repeats it and never upgrades it.
      amr: row.session_amr === null ? ['pwd'] : row.session_amr.split(' '),
      authTime: Number(row.session_auth_time ?? row.session_created_at),
    },
    now,
  )
  const graceSealed =
    context.config.refreshReuseGraceSeconds > 0
      ? context.secretBox.seal(
          JSON.stringify({
            access_token: access.token,
            expires_at: access.expiresAt,
            expires_in: access.expiresInSeconds,
            refresh_token: successorToken,
          } satisfies SealedPair),
        )
      : null

  const won = await context.db.transaction().execute(async (trx) => {
    if (!(await markRefreshTokenRotated(trx, row.id, now, graceSealed))) return false
    await insertRefreshToken(trx, {
      id: newId(),
      session_id: row.session_id,
      token_hash: hashRefreshToken(successorToken),
      parent_id: row.id,
      created_at: now,
      idle_expires_at: Math.min(
        now + context.config.refreshTokenIdleTtlSeconds * 1000,
        row.session_expires_at,
      ),
      rotated_at: null,
      grace_response_sealed: null,
    })
    await recordAuditEvent(trx, now, meta, {
      action: 'token.refresh',
      actorUserId: row.user_id,
      targetUserId: row.user_id,
      sessionId: row.session_id,
    })
    return true
  })
  if (won) return { access, refreshToken: successorToken, sessionId: row.session_id }

  // Someone rotated this token between our read and our update: it is now a reuse (or a grace retry).
  const rotated = await findRefreshTokenByHash(context.db, tokenHash)
  if (!rotated) throw invalidGrant()
  return answerReuse(context, rotated, now, meta)
}

function isSessionUsable(row: RefreshTokenWithSession, now: number): boolean {
  return row.session_revoked_at === null && row.session_expires_at > now && row.disabled_at === null
}

async function answerReuse(
  context: ServiceContext,
  row: RefreshTokenWithSession,
  now: number,
  meta: RequestMeta,
): Promise<TokenPair> {
  const graceMs = context.config.refreshReuseGraceSeconds * 1000
  if (
    graceMs > 0 &&
    row.grace_response_sealed !== null &&
    row.rotated_at !== null &&
    now - row.rotated_at <= graceMs
  ) {
    const child = await findRefreshTokenChild(context.db, row.id)
    // Only the newest parent may be retried: if its child has moved on, this is an ancestor being replayed.
    if (child && child.rotated_at === null) {
      const pair = JSON.parse(context.secretBox.open(row.grace_response_sealed)) as SealedPair
      return {
        access: { token: pair.access_token, expiresAt: pair.expires_at, expiresInSeconds: pair.expires_in },
        refreshToken: pair.refresh_token,
        sessionId: row.session_id,
      }
    }
  }
  await context.db.transaction().execute(async (trx) => {
    const revoked = await revokeSession(trx, row.session_id, now, 'refresh_token_reuse')
    // Recorded once per family: later replays against the already-revoked session change nothing.
    if (!revoked) return
    await recordAuditEvent(trx, now, meta, {
      action: 'token.refresh_reuse',
      outcome: 'failure',
      targetUserId: row.user_id,
      sessionId: row.session_id,
      details: { reused_refresh_id: row.id },
    })
  })
  throw invalidGrant()
}
