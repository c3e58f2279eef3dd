import { AppError, OAuthError } from '../errors.ts'
import { findRefreshTokenByHash } from '../db/refresh-tokens.ts'
import type { RequestMeta } from './audit.ts'
import type { ServiceContext } from './context.ts'
import { IntrospectionClients } from './introspection-clients.ts'
import { hashRefreshToken, looksLikeRefreshToken } from './refresh-tokens.ts'
import type { RateLimitSink } from './throttle/rate-limit-info.ts'
import { authenticateAccessToken, authenticateToken } from './tokens/authenticate.ts'

/** RFC 7662 §2.2: everything inactive gets exactly this, so nothing is learnt about why. */
export const INACTIVE = Object.freeze({ active: false as const })

/** An RFC 7662 introspection answer. */
export type IntrospectionResponse = typeof INACTIVE | ({ active: true } & Record<string, unknown>)

// Built once per configuration: the client secrets are kept only as digests from then on.
const clientsByConfig = new WeakMap<ServiceContext['config'], IntrospectionClients>()

function introspectionClients(context: ServiceContext): IntrospectionClients {
  let clients = clientsByConfig.get(context.config)
  if (!clients) {
    clients = new IntrospectionClients(context.config.introspectionClients)
    clientsByConfig.set(context.config, clients)
  }
  return clients
}

/** An /introspect call: who is asking, and how to read the token once the caller is authorized. */
export interface IntrospectionRequest {
  authorization: string | undefined
  meta: RequestMeta
  onRateLimit?: RateLimitSink | undefined
  /** Reads (and validates) the token parameter; called only after the caller is authorized. */
  readToken: () => string
}

/**
 * RFC 7662 introspection for a configured client (HTTP Basic) or an admin's bearer token. Failed
 * caller authentication and inactive answers count against the caller's IP: a legitimate resource
 * server gets few of either, a token or secret guesser gets many.
 */
export async function introspect(
  context: ServiceContext,
  request: IntrospectionRequest,
): Promise<IntrospectionResponse> {
  const failures = context.throttles.introspectFailures
  const ip = request.meta.ip ?? 'unknown'
  request.onRateLimit?.(await failures.check(ip))
  try {
    await authorizeIntrospection(context, request.authorization)
  } catch (error) {
    await failures.recordFailure(ip)
    throw error
  }
  const answer = await introspectToken(context, request.readToken())
  if (!answer.active) await failures.recordFailure(ip)
  return answer
}

async function authorizeIntrospection(context: ServiceContext, authorization = ''): Promise<void> {
  if (/^basic /i.test(authorization)) {
    if (introspectionClients(context).verifyBasicHeader(authorization)) return
    // RFC 6749 §5.2 / RFC 7662 §2.3: a failed client authentication is invalid_client with a challenge.
    throw new OAuthError('invalid_client', 'Invalid client credentials', 401, {
      'www-authenticate': 'Basic realm="gatehouse"',
    })
  }
  if (authorization === '') {
    throw new OAuthError('invalid_client', 'Introspection requires client credentials', 401, {
      'www-authenticate': 'Basic realm="gatehouse", Bearer',
    })
  }
  // An admin's bearer token instead: its failures are RFC 6750 bearer errors, like every protected route.
  const auth = await authenticateAccessToken(context, authorization)
  if (auth.user.role !== 'admin') throw new AppError(403, 'forbidden', 'Forbidden')
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
      // What the session's login proved (issue 12), for resource servers that ask for a second factor.
      ...(claims.amr === undefined ? {} : { amr: claims.amr }),
      ...(claims.auth_time === undefined ? {} : { auth_time: claims.auth_time }),
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
    // No token_type: RFC 7662 §2.2 defines it as an RFC 6749 §7.1 access-token type ("Bearer"), and a
    // refresh token is not one, so "refresh_token" there was wrong (issue 16, finding 7).
  }
}
