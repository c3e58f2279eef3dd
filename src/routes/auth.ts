import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { logInWithPassword } from '../services/login/password.ts'
import { registerAccount } from '../services/registration.ts'
import { rateLimitSink, requestMeta } from './request-meta.ts'
import { requireContentType } from './content-type.ts'
import { presentedDeviceToken, setDeviceCookie } from './device-cookie.ts'
import { acceptMultipartFields, readMultipartFields } from './multipart-fields.ts'
import {
  CredentialsBody,
  errorResponses,
  PublicUserSchema,
  TokenResponse,
  tokenResponseBody,
} from './schemas.ts'

const LoginBody = Type.Object(
  {
    ...CredentialsBody.properties,
    // What OAuth2PasswordRequestForm and the /docs Authorize dialog send beside the credentials.
    grant_type: Type.Optional(Type.Literal('password')),
    // Accepted for OAuth2PasswordRequestForm compatibility and ignored: Gatehouse grants no scopes, and a
    // scope the client names must never reach a token (RFC 6749 §3.3: the server decides the scope).
    scope: Type.Optional(Type.String({ maxLength: 1024 })),
    client_id: Type.Optional(Type.String({ maxLength: 256 })),
    client_secret: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: false },
)

const LOGIN_MEDIA_TYPES = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data']

/** The seed's `/register` and `/login`. */
export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // FastAPI's OAuth2PasswordRequestForm also takes a browser FormData (issue 16, finding 8). This scope
  // only: /token keeps RFC 6749's urlencoded form.
  await acceptMultipartFields(app)

  app.post(
    '/register',
    {
      preValidation: requireContentType('application/json'),
      schema: {
        tags: ['auth'],
        summary: 'Create an account',
        body: CredentialsBody,
        response: { 201: PublicUserSchema, ...errorResponses(409, 415, 422, 429) },
      },
    },
    async (request, reply) => {
      const user = await registerAccount(
        app.services,
        request.body,
        requestMeta(request),
        rateLimitSink(reply),
      )
      return reply.code(201).send(user)
    },
  )

  app.post(
    '/login',
    {
      preValidation: [requireContentType(...LOGIN_MEDIA_TYPES), readMultipartFields],
      schema: {
        tags: ['auth'],
        summary: 'Log in with a username and password (JSON, or the OAuth2 password form)',
        consumes: LOGIN_MEDIA_TYPES,
        body: LoginBody,
        response: { 200: TokenResponse, ...errorResponses(401, 415, 422, 429, 503) },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body
      const result = await logInWithPassword(app.services, {
        identifier: username,
        password,
        meta: requestMeta(request),
        channel: 'login',
        onRateLimit: rateLimitSink(reply),
        deviceToken: presentedDeviceToken(request),
      })
      // RFC 6749 §5.1: token responses must not be cached.
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
      if (result.pair.deviceToken !== undefined) {
        setDeviceCookie(reply, result.pair.deviceToken, app.services.config.issuer)
      }
      return tokenResponseBody(result.pair)
    },
  )
}
