import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { confirmEnrollmentWithToken, startEnrollmentWithToken } from '../services/mfa/enrollment-login.ts'
import { logInWithSecondFactor } from '../services/mfa/second-factor-login.ts'
import { guardRefreshCookieMode, IssuedTokenResponse, sendTokens } from './browser-cookies.ts'
import { requireContentType } from './content-type.ts'
import { presentedDeviceToken } from './device-cookie.ts'
import { SecondFactorRequiredBody, sendLoginResult } from './login-result.ts'
import { rateLimitSink, requestMeta } from './request-meta.ts'
import { errorResponses } from './schemas.ts'

/** An mfa_token as clients send it back. */
export const MfaToken = Type.String({ minLength: 1, maxLength: 256 })
/** A TOTP code: six digits. */
export const TotpCode = Type.String({ minLength: 1, maxLength: 16, description: 'Six digits from the app' })
/** A recovery code as typed (case, spaces and hyphens do not matter). */
export const RecoveryCode = Type.String({ minLength: 1, maxLength: 64 })
/** Ten recovery codes, shown once. */
export const RecoveryCodes = Type.Array(Type.String(), {
  description: 'Ten single-use codes, shown only now',
})
/** What TOTP enrollment shows once. */
export const TotpEnrollmentResponse = Type.Object({
  secret: Type.String({ description: 'Base32, for typing into the app by hand' }),
  otpauth_uri: Type.String({ description: 'otpauth://totp/… (SHA1, 6 digits, 30 s)' }),
  qr_svg: Type.String({ description: 'The URI as an SVG QR code' }),
})

const json = requireContentType('application/json')

/** The second step of a login: POST /login/mfa, and TOTP enrollment when policy requires a factor. */
export const mfaLoginRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/login/mfa',
    {
      onRequest: guardRefreshCookieMode(app.services.config),
      preValidation: json,
      schema: {
        tags: ['auth'],
        summary:
          'Finish a login that answered mfa_required: the mfa_token with a TOTP code or a recovery code',
        body: Type.Union([
          Type.Object({ mfa_token: MfaToken, code: TotpCode }, { additionalProperties: false }),
          Type.Object({ mfa_token: MfaToken, recovery_code: RecoveryCode }, { additionalProperties: false }),
        ]),
        response: {
          200: IssuedTokenResponse,
          403: SecondFactorRequiredBody,
          ...errorResponses(401, 415, 422, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const body = request.body
      const result = await logInWithSecondFactor(app.services, {
        mfaToken: body.mfa_token,
        code: 'code' in body ? body.code : undefined,
        recoveryCode: 'recovery_code' in body ? body.recovery_code : undefined,
        meta: requestMeta(request),
        onRateLimit: rateLimitSink(reply),
        deviceToken: presentedDeviceToken(request),
      })
      return sendLoginResult(request, reply, app.services, result)
    },
  )

  app.post(
    '/login/mfa/enroll/totp',
    {
      preValidation: json,
      schema: {
        tags: ['auth'],
        summary: 'Start TOTP enrollment with the mfa_token of an mfa_enrollment_required answer',
        body: Type.Object({ mfa_token: MfaToken }, { additionalProperties: false }),
        response: { 200: TotpEnrollmentResponse, ...errorResponses(401, 409, 415, 422) },
      },
    },
    async (request) => startEnrollmentWithToken(app.services, request.body.mfa_token, requestMeta(request)),
  )

  app.post(
    '/login/mfa/enroll/totp/confirm',
    {
      onRequest: guardRefreshCookieMode(app.services.config),
      preValidation: json,
      schema: {
        tags: ['auth'],
        summary:
          'Confirm enrollment with a code: signs in, and returns the recovery codes once beside the tokens',
        body: Type.Object({ mfa_token: MfaToken, code: TotpCode }, { additionalProperties: false }),
        response: {
          200: Type.Object({ ...IssuedTokenResponse.properties, recovery_codes: RecoveryCodes }),
          ...errorResponses(401, 415, 422, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const { pair, recoveryCodes } = await confirmEnrollmentWithToken(app.services, {
        mfaToken: request.body.mfa_token,
        code: request.body.code,
        meta: requestMeta(request),
        onRateLimit: rateLimitSink(reply),
        deviceToken: presentedDeviceToken(request),
      })
      return { ...sendTokens(request, reply, app.services, pair), recovery_codes: recoveryCodes }
    },
  )
}
