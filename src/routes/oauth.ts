import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { OAuthError } from '../errors.ts'
import { exchangeToken } from '../services/grants/index.ts'
import { introspect } from '../services/introspection.ts'
import { revokeToken } from '../services/revocation.ts'
import { toOAuthError } from '../services/grants/oauth-errors.ts'
import { presentedDeviceToken } from './device-cookie.ts'
import { rateLimitSink, requestMeta } from './request-meta.ts'
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
  // The second step of an mfa_required password grant (issue 12).
  mfa_token: Type.Optional(Type.String({ maxLength: 256 })),
  otp: Type.Optional(Type.String({ maxLength: 64 })),
  recovery_code: Type.Optional(Type.String({ maxLength: 64 })),
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
  app.post(
    '/token',
    {
      attachValidation: true,
      schema: {
        tags: ['oauth'],
        summary:
          'RFC 6749 token endpoint: grant_type=password, refresh_token, urn:gatehouse:grant-type:mfa-otp ' +
          '(mfa_token, otp) or urn:gatehouse:grant-type:mfa-recovery-code (mfa_token, recovery_code); ' +
          'a password grant for an account with a second factor answers 403 ' +
          '{"error": "mfa_required", "error_description", "mfa_token"}',
        consumes: [FORM],
        body: TokenForm,
        response: { 200: TokenResponse },
      },
    },
    async (request, reply) => {
      requireForm(request)
      noStore(reply)
      const pair = await exchangeToken(app.services, {
        parameters: request.body,
        meta: requestMeta(request),
        onRateLimit: rateLimitSink(reply),
        deviceToken: presentedDeviceToken(request),
      })
      return tokenResponseBody(pair)
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
    async (request, reply) =>
      introspect(app.services, {
        authorization: request.headers.authorization,
        meta: requestMeta(request),
        onRateLimit: rateLimitSink(reply),
        // The caller is authorized before the form is looked at, so an outsider learns nothing from it.
        readToken: () => {
          requireForm(request)
          noStore(reply)
          return request.body.token
        },
      }).catch((error: unknown) => {
        throw toOAuthError(error)
      }),
  )
}
