import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto'
import { AppError, OAuthError, unauthorized } from '../errors.ts'
import { findRefreshTokenByHash } from '../db/refresh-tokens.ts'
import type { RequestMeta } from './audit.ts'
import type { ServiceContext } from './context.ts'
import { refreshTokenGrant } from './grants/refresh-token.ts'
import { hashRefreshToken, looksLikeRefreshToken, type TokenPair } from './refresh-tokens.ts'
import { logout } from './revocation.ts'
import type { RateLimitSink } from './throttle/rate-limit-info.ts'

// The hosted pages keep their refresh token in an HttpOnly cookie. The two requests that read it
// (refresh and logout) are the only cookie-authenticated requests Gatehouse has; this module runs them
// through the same refresh grant and logout as /token and /logout, after the CSRF checks.

const derivedKeys = new Map<string, Buffer>()

function csrfKey(secret: string): Buffer {
  let key = derivedKeys.get(secret)
  if (key === undefined) {
    key = Buffer.from(hkdfSync('sha256', secret, 'gatehouse', 'browser-csrf/v1', 32))
    derivedKeys.set(secret, key)
  }
  return key
}

/**
 * The CSRF token of a browser session: an HMAC of its session id under a key derived from
 * GATEHOUSE_SECRET (OWASP's "signed double-submit cookie"). It stays the same while the refresh token
 * rotates, and a token planted by a neighbouring site (cookie tossing) is worthless: it fits no session
 * but the attacker's own.
 */
export function browserCsrfToken(context: ServiceContext, sessionId: string): string {
  return createHmac('sha256', csrfKey(context.config.secret)).update(sessionId).digest('base64url')
}

/** What a cookie-authenticated request carries: the refresh cookie and the CSRF header. */
export interface BrowserSessionRequest {
  refreshToken: string
  csrfToken: string
  meta: RequestMeta
  onRateLimit?: RateLimitSink
}

function noSession(): AppError {
  return unauthorized('not_authenticated', 'No browser session; sign in again')
}

/** The session a refresh token belongs to (rotated or not), or undefined for an unknown token. */
async function sessionOf(context: ServiceContext, refreshToken: string): Promise<string | undefined> {
  if (!looksLikeRefreshToken(refreshToken)) return undefined
  return (await findRefreshTokenByHash(context.db, hashRefreshToken(refreshToken)))?.session_id
}

function assertCsrfToken(context: ServiceContext, sessionId: string, presented: string): void {
  const expected = Buffer.from(browserCsrfToken(context, sessionId))
  const given = Buffer.from(presented)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AppError(403, 'csrf_failed', 'The request failed the CSRF check')
  }
}

/**
 * Exchanges the refresh cookie for a new pair through the refresh grant /token uses (rotation, reuse
 * detection, the per-IP failure throttle). The CSRF token must fit the token's session first, so a
 * forged request can neither rotate the token nor trip reuse detection.
 */
export async function refreshBrowserSession(
  context: ServiceContext,
  request: BrowserSessionRequest,
): Promise<TokenPair> {
  const sessionId = await sessionOf(context, request.refreshToken)
  // An unknown token protects nothing; the grant refuses it and counts the failure against the address.
  if (sessionId !== undefined) assertCsrfToken(context, sessionId, request.csrfToken)
  try {
    return await refreshTokenGrant(context, {
      parameters: { grant_type: 'refresh_token', refresh_token: request.refreshToken },
      meta: request.meta,
      onRateLimit: request.onRateLimit,
    })
  } catch (error) {
    if (error instanceof OAuthError) throw noSession()
    throw error
  }
}

/** Ends the cookie's session as /logout does; an unknown or already ended session is no error. */
export async function endBrowserSession(
  context: ServiceContext,
  request: BrowserSessionRequest,
): Promise<void> {
  const sessionId = await sessionOf(context, request.refreshToken)
  if (sessionId === undefined) return
  assertCsrfToken(context, sessionId, request.csrfToken)
  await logout(context, sessionId, request.meta)
}
