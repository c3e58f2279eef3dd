import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { logInWithPasskey, loginOptions } from '../services/mfa/webauthn-login.ts'
import { guardRefreshCookieMode, IssuedTokenResponse } from './browser-cookies.ts'
import { requireContentType } from './content-type.ts'
import { presentedDeviceToken } from './device-cookie.ts'
import { SecondFactorRequiredBody, sendLoginResult } from './login-result.ts'
import { MfaToken } from './mfa-login.ts'
import { optionalJsonBody } from './mfa.ts'
import { rateLimitSink, requestMeta } from './request-meta.ts'
import { errorResponses } from './schemas.ts'
import { AuthenticationResponseSchema, RequestOptionsSchema } from './webauthn-schemas.ts'

/** Signing in with a passkey: as the second factor (with an mfa_token) or passwordless (without). */
export const webauthnLoginRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/webauthn/login/options',
    {
      preValidation: optionalJsonBody,
      schema: {
        tags: ['auth'],
        summary:
          'Request options for navigator.credentials.get: with an mfa_token, that account’s passkeys; ' +
          'without, any discoverable passkey with user verification',
        body: Type.Object({ mfa_token: Type.Optional(MfaToken) }, { additionalProperties: false }),
        response: { 200: RequestOptionsSchema, ...errorResponses(401, 415, 422, 429) },
      },
    },
    async (request, reply) =>
      loginOptions(app.services, {
        mfaToken: request.body.mfa_token,
        meta: requestMeta(request),
        onRateLimit: rateLimitSink(reply),
      }),
  )

  app.post(
    '/webauthn/login',
    {
      onRequest: guardRefreshCookieMode(app.services.config),
      preValidation: requireContentType('application/json'),
      schema: {
        tags: ['auth'],
        summary:
          'Sign in with the browser’s passkey response (second factor with mfa_token, or passwordless)',
        body: Type.Object(
          { response: AuthenticationResponseSchema, mfa_token: Type.Optional(MfaToken) },
          { additionalProperties: false },
        ),
        response: {
          200: IssuedTokenResponse,
          403: SecondFactorRequiredBody,
          ...errorResponses(401, 415, 422, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const result = await logInWithPasskey(app.services, {
        response: request.body.response,
        mfaToken: request.body.mfa_token,
        meta: requestMeta(request),
        onRateLimit: rateLimitSink(reply),
        deviceToken: presentedDeviceToken(request),
      })
      return sendLoginResult(request, reply, app.services, result)
    },
  )
}
