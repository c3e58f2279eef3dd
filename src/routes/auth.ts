import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { AppError } from '../errors.ts'
import { logInWithPassword } from '../services/login/password.ts'
import { registerAccount } from '../services/registration.ts'
import { guardRefreshCookieMode, IssuedTokenResponse } from './browser-cookies.ts'
import { SecondFactorRequiredBody, sendLoginResult } from './login-result.ts'
import { rateLimitSink, requestMeta } from './request-meta.ts'
import { requireContentType } from './content-type.ts'
import { presentedDeviceToken } from './device-cookie.ts'
import { acceptMultipartFields, readMultipartFields } from './multipart-fields.ts'
import { CredentialsBody, errorResponses, PublicUserSchema } from './schemas.ts'

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

const RegisterBody = Type.Object(
  {
    ...CredentialsBody.properties,
    email: Type.Optional(
      Type.String({
        minLength: 3,
        maxLength: 320,
        description: 'Optional (required with GATEHOUSE_REQUIRE_EMAIL); a verification message is sent to it',
      }),
    ),
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
      // Before the body is read, validated or counted: a closed door answers the same to every request.
      onRequest: async () => {
        if (app.services.config.registration === 'closed') {
          throw new AppError(403, 'registration_closed', 'Registration is closed; ask an administrator')
        }
      },
      preValidation: requireContentType('application/json'),
      schema: {
        tags: ['auth'],
        summary: 'Create an account',
        body: RegisterBody,
        response: { 201: PublicUserSchema, ...errorResponses(403, 409, 415, 422, 429) },
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
      // `Gatehouse-Refresh: cookie` (the hosted pages) is honoured only from our own origin.
      onRequest: guardRefreshCookieMode(app.services.config),
      preValidation: [requireContentType(...LOGIN_MEDIA_TYPES), readMultipartFields],
      schema: {
        tags: ['auth'],
        summary: 'Log in with a username and password (JSON, or the OAuth2 password form)',
        consumes: LOGIN_MEDIA_TYPES,
        body: LoginBody,
        response: {
          200: IssuedTokenResponse,
          ...errorResponses(401, 415, 422, 429, 503),
          // 403 mfa_required / mfa_enrollment_required (issue 12): the account needs a second step.
          403: SecondFactorRequiredBody,
        },
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
      return sendLoginResult(request, reply, app.services, result)
    },
  )
}
