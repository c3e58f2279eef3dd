import { unauthorized } from '../../errors.ts'
import { bookkeepingConnection } from '../../db/bookkeeping.ts'
import { findSessionWithUser, touchSession } from '../../db/sessions.ts'
import type { ServiceContext } from '../context.ts'
import type { AccessTokenClaims } from './claims.ts'
import { VerifiedTokenCache, type VerifiedToken } from './verified-cache.ts'
import { checkClaimTimes, TokenError, verifyAccessToken, type VerifyOptions } from './verify.ts'

// last_used_at is bookkeeping, not security: writing it at most once a minute keeps writes off the hot path.
const LAST_USED_WRITE_INTERVAL_MS = 60_000

/** The identity behind an authenticated request, read from the database, not from the token. */
export interface Authenticated {
  claims: AccessTokenClaims
  sessionId: string
  user: { id: string; username: string; role: string; created_at: number; updated_at: number }
}

const BEARER = /^Bearer +([^\s]+) *$/i

/**
 * Authenticates a request from its Authorization header (RFC 6750 §2.1; tokens anywhere else are never
 * read). A missing header is `not_authenticated`; anything wrong with a presented one is `invalid_token`.
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

/**
 * The one token check, used by every protected request and by /introspect: the signature with the one
 * algorithm bound to the kid, then the session, the user and the signing key in one query. A revoked
 * or expired session, a deleted or disabled user, or a retired key is refused at once: only the signature
 * check is cached (verifyTokenSignature), never this query, so nothing sits between revocation and it.
 */
export async function authenticateToken(context: ServiceContext, token: string): Promise<Authenticated> {
  // Each refusal is counted by reason (gatehouse_token_verifications_total); the client sees one answer.
  const refuse = (reason: string, detail = 'Invalid token') => {
    context.metrics.tokenVerifications.inc({ result: reason })
    return unauthorized('invalid_token', detail)
  }
  const { claims, kid } = await verifyTokenSignature(context, token).catch((error: unknown) => {
    if (!(error instanceof TokenError)) throw error
    if (error.reason === 'expired') throw refuse('expired', 'Token has expired')
    throw refuse(error.reason)
  })
  const now = context.clock.now()
  const row = await findSessionWithUser(context.db, claims.sid, kid)
  if (!row || row.session_user_id !== claims.sub) throw refuse('unknown_session')
  // A key retired early (`gatehouse keys retire`) stops verifying here at once, on every instance.
  const keyIsStored = !kid.startsWith('hs256-')
  if (
    keyIsStored &&
    (row.key_kid === null || (row.key_published_until !== null && row.key_published_until <= now))
  ) {
    throw refuse('key_retired')
  }
  if (row.session_revoked_at !== null || row.session_expires_at <= now) {
    throw refuse('session_ended', 'Session has ended')
  }
  if (row.disabled_at !== null) throw refuse('user_disabled')
  if (row.session_last_used_at < now - LAST_USED_WRITE_INTERVAL_MS) {
    await recordSessionUse(context, row.session_id, now)
  }
  context.metrics.tokenVerifications.inc({ result: 'valid' })
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

/**
 * Writes last_used_at. On a SQLite file it goes through the bookkeeping connection, which does not
 * fsync on the event loop (db/bookkeeping.ts); elsewhere (PostgreSQL, an in-memory database) through
 * the main one.
 */
async function recordSessionUse(context: ServiceContext, sessionId: string, now: number): Promise<void> {
  const staleBefore = now - LAST_USED_WRITE_INTERVAL_MS
  const target = context.config.database
  if (context.dialect === 'sqlite' && target.kind === 'sqlite' && target.path !== ':memory:') {
    bookkeepingConnection(context.db, target.path).touchSession(sessionId, now, staleBefore)
    return
  }
  await touchSession(context.db, sessionId, now, staleBefore)
}

// One cache per key store, that is per service context (one per process; tests build many), without
// widening the context every service receives.
const verifiedTokens = new WeakMap<object, VerifiedTokenCache>()

/** The verified-token cache of a context (tests and metrics read it; nothing else should). */
export function verifiedTokenCache(context: ServiceContext): VerifiedTokenCache {
  let cache = verifiedTokens.get(context.keys)
  if (!cache) {
    cache = new VerifiedTokenCache()
    verifiedTokens.set(context.keys, cache)
  }
  return cache
}

/**
 * Verifies a token's signature and claims against the keys this instance knows, and names the kid its
 * header used so the per-request query can check that key. An unknown kid may be a key another instance
 * just created: reload once (rate-limited) and try again. Throws TokenError.
 *
 * The signature check of an exact token string is cached (VerifiedTokenCache); a hit still re-checks
 * exp, iat and nbf against the clock, and counts only while the key that verified it is still published
 * here. The caller's session, user and key query runs on every request, hit or miss.
 */
export async function verifyTokenSignature(context: ServiceContext, token: string): Promise<VerifiedToken> {
  const options = verifyOptions(context)
  const cache = verifiedTokenCache(context)
  const cached = cache.get(token)
  if (cached) {
    if (context.keys.verificationKey(cached.kid) === undefined) {
      // The key was retired and unpublished: nothing it signed may be served from the cache any more.
      cache.evictKid(cached.kid)
    } else {
      try {
        checkClaimTimes(cached.claims, options)
        return cached
      } catch (error) {
        cache.delete(token)
        throw error
      }
    }
  }
  // The verifier already parsed the header to look the key up; keep that kid instead of parsing again.
  let kid = ''
  const verify = (): VerifiedToken => {
    const claims = verifyAccessToken(token, {
      ...options,
      lookupKey: (headerKid) => {
        kid = headerKid
        return context.keys.verificationKey(headerKid)
      },
    })
    const verified = { claims, kid }
    cache.set(token, verified, options.nowSeconds)
    return verified
  }
  try {
    return verify()
  } catch (error) {
    if (!(error instanceof TokenError) || error.reason !== 'unknown_kid') throw error
    if (!(await context.keys.reloadIfCoolingDownEnded())) throw error
    return verify()
  }
}

function verifyOptions(context: ServiceContext): Omit<VerifyOptions, 'lookupKey'> {
  return {
    issuer: context.config.issuer,
    audience: context.config.audience,
    nowSeconds: Math.floor(context.clock.now() / 1000),
    leewaySeconds: context.config.clockSkewSeconds,
    maxLifetimeSeconds: context.config.accessTokenTtlSeconds,
  }
}
