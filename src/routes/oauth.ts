import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { AppError, OAuthError } from '../errors.ts'
import { IntrospectionClients } from '../services/introspection-clients.ts'
import { rotateRefreshToken } from '../services/refresh-tokens.ts'
import { introspectToken, revokeToken } from '../services/revocation.ts'
import { authenticateAccessToken, startSession } from '../services/sessions.ts'
import { verifyCredentials } from '../services/credentials.ts'
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
      const client = { ip: request.ip, userAgent: request.headers['user-agent'] ?? null }
      switch (form.grant_type) {
        case 'password': {
          if (form.username === undefined || form.password === undefined) {
            throw new OAuthError('invalid_request', 'username and password are required')
          }
          const user = await verifyCredentials(app.services, form.username, form.password).catch(
            (error: unknown) => {
              // The same failure as /login, in RFC 6749 clothing.
              if (error instanceof AppError && error.code === 'invalid_credentials') {
                throw new OAuthError('invalid_grant', 'Incorrect username or password')
              }
              throw error
            },
          )
          return tokenResponseBody(await startSession(app.services, user, client, form.scope))
        }
        case 'refresh_token': {
          if (form.refresh_token === undefined)
            throw new OAuthError('invalid_request', 'refresh_token is required')
          return tokenResponseBody(await rotateRefreshToken(app.services, form.refresh_token))
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
      await revokeToken(app.services, request.body.token)
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
      await authorizeIntrospection(request, introspectionClients)
      requireForm(request)
      noStore(reply)
      return introspectToken(app.services, request.body.token)
    },
  )

  async function authorizeIntrospection(
    request: FastifyRequest,
    clients: IntrospectionClients,
  ): Promise<void> {
    const authorization = request.headers.authorization ?? ''
    if (/^basic /i.test(authorization)) {
      if (clients.verifyBasicHeader(authorization)) return
      throw new AppError(401, 'not_authenticated', 'Invalid client credentials', {
        'www-authenticate': 'Basic realm="gatehouse"',
      })
    }
    if (authorization === '') {
      throw new AppError(401, 'not_authenticated', 'Introspection requires client credentials', {
        'www-authenticate': 'Basic realm="gatehouse", Bearer',
      })
    }
    const auth = await authenticateAccessToken(app.services, authorization)
    if (auth.user.role !== 'admin') throw new AppError(403, 'forbidden', 'Forbidden')
  }
}
