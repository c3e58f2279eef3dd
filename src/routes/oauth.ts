import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { AppError, OAuthError } from '../errors.ts'
import { IntrospectionClients } from '../services/introspection-clients.ts'
import { rotateRefreshToken } from '../services/refresh-tokens.ts'
import { introspectToken, revokeToken } from '../services/revocation.ts'
import { authenticateAccessToken, startSession } from '../services/sessions.ts'
import { logIn } from '../services/credentials.ts'
import { ThrottledError } from '../services/throttle/errors.ts'
import { setRateLimitHeaders } from '../plugins/throttle.ts'
import { requestMeta } from './request-meta.ts'
import { TokenResponse, tokenResponseBody } from './schemas.ts'

const FORM = 'application/x-www-form-urlencoded'

// RFC 6749 §3.1: parameters must not repeat. The form parser turns a repeat into an array, which these
// string-only schemas refuse; validation failures are reported as invalid_request, never as a 422.
const TokenForm = Type.Object({
  grant_type: Type.String({ maxLength: 64 }),
  username: Type.Optional(Type.String({ maxLength: 256 })),
  password: Type.Optional(Type.String({ maxLength: 4096 })),
  refresh_token: Type.Optional(Type.String({ maxLength: 512 })),
  scope: Type.Optional(Type.String({ maxLength: 1024 })),
  client_id: Type.Optional(Type.String({ maxLength: 256 })),
  client_secret: Type.Optional(Type.String({ maxLength: 256 })),
})
const TokenParameterForm = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 16_384 }),
  token_type_hint: Type.Optional(Type.String({ maxLength: 64 })),
})

function requireForm(request: FastifyRequest): void {
  const mediaType = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase()
  if (mediaType !== FORM) throw new OAuthError('invalid_request', `Content-Type must be ${FORM}`, 415)
  if (request.validationError) {
    throw new OAuthError('invalid_request', 'Missing, repeated or malformed parameter')
  }
}

/**
 * RFC 6749 defines no "too many requests" error, so a throttled /token answers 429 with invalid_grant
 * in RFC 6749 clothing; Retry-After and the RateLimit headers carry the wait.
 */
function oauthThrottled(reply: FastifyReply, error: unknown): never {
  if (!(error instanceof ThrottledError)) throw error
  setRateLimitHeaders(reply, error.rateLimit)
  reply.header('retry-after', String(error.retryAfterSeconds))
  throw new OAuthError('invalid_grant', error.detail, 429)
}

function noStore(reply: FastifyReply): void {
  // RFC 6749 §5.1: responses carrying tokens must not be cached.
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
}

/** The RFC 6749 token endpoint, RFC 7009 revocation and RFC 7662 introspection. */
export const oauthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const introspectionClients = new IntrospectionClients(app.services.config.introspectionClients)

  app.post(
    '/token',
    {
      attachValidation: true,
      schema: {
        tags: ['oauth'],
        summary: 'RFC 6749 token endpoint: grant_type=password or refresh_token',
        consumes: [FORM],
        body: TokenForm,
        response: { 200: TokenResponse },
      },
    },
    async (request, reply) => {
      requireForm(request)
      noStore(reply)
      const form = request.body
      const meta = requestMeta(request)
      switch (form.grant_type) {
        case 'password': {
          if (form.username === undefined || form.password === undefined) {
            throw new OAuthError('invalid_request', 'username and password are required')
          }
          // RFC 6749 §3.3: the server decides the scope. Gatehouse grants none, so asking for one is refused.
          if (form.scope !== undefined && form.scope.trim() !== '') {
            throw new OAuthError('invalid_scope', 'This server grants no scopes')
          }
          const attempt = { username: form.username, password: form.password, meta, grant: 'token' as const }
          const user = await logIn(app.services, app.throttle.login, attempt, (info) =>
            setRateLimitHeaders(reply, info),
          ).catch((error: unknown) => {
            // The same failure as /login, in RFC 6749 clothing.
            if (error instanceof AppError && error.code === 'invalid_credentials') {
              throw new OAuthError('invalid_grant', 'Incorrect username or password')
            }
            return oauthThrottled(reply, error)
          })
          return tokenResponseBody(await startSession(app.services, user, meta))
        }
        case 'refresh_token': {
          if (form.refresh_token === undefined)
            throw new OAuthError('invalid_request', 'refresh_token is required')
          const limit = await app.throttle.refreshFailures
            .check(request.ip)
            .catch((error: unknown) => oauthThrottled(reply, error))
          setRateLimitHeaders(reply, limit)
          try {
            return tokenResponseBody(await rotateRefreshToken(app.services, form.refresh_token, meta))
          } catch (error) {
            // Counted per IP: a client walking through guessed refresh tokens is throttled.
            if (error instanceof OAuthError && error.error === 'invalid_grant') {
              await app.throttle.refreshFailures.recordFailure(request.ip)
            }
            throw error
          }
        }
        default:
          throw new OAuthError('unsupported_grant_type', 'grant_type must be password or refresh_token')
      }
    },
  )

  app.post(
    '/revoke',
    {
      attachValidation: true,
      schema: {
        tags: ['oauth'],
        summary: 'RFC 7009 token revocation',
        consumes: [FORM],
        body: TokenParameterForm,
      },
    },
    async (request, reply) => {
      requireForm(request)
      await revokeToken(app.services, request.body.token, requestMeta(request))
      // RFC 7009 §2.2: 200 whether or not the token was known.
      return reply.code(200).send()
    },
  )

  app.post(
    '/introspect',
    {
      attachValidation: true,
      schema: {
        tags: ['oauth'],
        summary: 'RFC 7662 introspection (Basic client credentials or an admin bearer token)',
        consumes: [FORM],
        body: TokenParameterForm,
      },
    },
    async (request, reply) => {
      const failures = app.throttle.introspectFailures
      setRateLimitHeaders(
        reply,
        await failures.check(request.ip).catch((error: unknown) => oauthThrottled(reply, error)),
      )
      try {
        await authorizeIntrospection(request, introspectionClients)
      } catch (error) {
        // Guessing a client secret, or a stolen bearer token's privileges, counts against the IP.
        await failures.recordFailure(request.ip)
        throw error
      }
      requireForm(request)
      noStore(reply)
      const answer = await introspectToken(app.services, request.body.token)
      // An inactive answer is also what a token guesser sees; a legitimate resource server gets few.
      if (!answer.active) await failures.recordFailure(request.ip)
      return answer
    },
  )

  async function authorizeIntrospection(
    request: FastifyRequest,
    clients: IntrospectionClients,
  ): Promise<void> {
    const authorization = request.headers.authorization ?? ''
    if (/^basic /i.test(authorization)) {
      if (clients.verifyBasicHeader(authorization)) return
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
    const auth = await authenticateAccessToken(app.services, authorization)
    if (auth.user.role !== 'admin') throw new AppError(403, 'forbidden', 'Forbidden')
  }
}
