import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { requireAuth } from '../plugins/authenticate.ts'
import { summarizeFactors } from '../services/mfa/factors.ts'
import {
  confirmTotpEnrollment,
  disableTotp,
  regenerateRecoveryCodes,
  startTotpEnrollment,
} from '../services/mfa/totp-enrollment.ts'
import { requireContentType } from './content-type.ts'
import { RecoveryCodes, TotpCode, TotpEnrollmentResponse } from './mfa-login.ts'
import { accountCaller } from './request-meta.ts'
import { bearerSecurity, errorResponses } from './schemas.ts'

const Password = Type.String({ minLength: 1, maxLength: 4096 })
const json = requireContentType('application/json')

/** Step-up fields: needed only when the session's login is older than GATEHOUSE_REAUTH_MAX_AGE. */
export const StepUpBody = Type.Object(
  {
    password: Type.Optional(Password),
    code: Type.Optional(TotpCode),
  },
  {
    additionalProperties: false,
    description:
      'Only when the login is older than GATEHOUSE_REAUTH_MAX_AGE: the current password, and a TOTP code ' +
      'when the account has TOTP (otherwise 401 reauthentication_required)',
  },
)

/** A body that may be left out entirely (it is then `{}`); when present it must be JSON. */
export async function optionalJsonBody(request: FastifyRequest): Promise<void> {
  if (request.headers['content-type'] === undefined && request.body === undefined) {
    request.body = {}
    return
  }
  await json(request)
}

/** The factor summary of GET /mfa and of the admin view of a user. */
export const FactorSummarySchema = Type.Object({
  totp: Type.Object({
    enabled: Type.Boolean(),
    confirmed_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  }),
  recovery_codes_remaining: Type.Integer(),
  webauthn: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      created_at: Type.String({ format: 'date-time' }),
      last_used_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    }),
  ),
})

/** The caller's own second factors: TOTP enrollment, recovery codes, the list. Bearer-protected. */
export const mfaRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['mfa']
  const security = bearerSecurity

  app.get(
    '/mfa',
    {
      schema: {
        tags,
        security,
        summary: 'Your second factors',
        response: { 200: FactorSummarySchema, ...errorResponses(401) },
      },
    },
    async (request) => summarizeFactors(app.services.db, requireAuth(request).user.id),
  )

  app.post(
    '/mfa/totp',
    {
      preValidation: json,
      schema: {
        tags,
        security,
        summary: 'Start TOTP enrollment (current password); nothing is active until confirmed',
        body: Type.Object({ password: Password }, { additionalProperties: false }),
        response: { 200: TotpEnrollmentResponse, ...errorResponses(401, 403, 409, 415, 422, 429) },
      },
    },
    async (request, reply) =>
      startTotpEnrollment(app.services, accountCaller(request, reply), request.body.password),
  )

  app.post(
    '/mfa/totp/confirm',
    {
      preValidation: json,
      schema: {
        tags,
        security,
        summary: 'Activate TOTP with a code; returns ten recovery codes once and ends your other sessions',
        body: Type.Object({ code: TotpCode }, { additionalProperties: false }),
        response: {
          200: Type.Object({ recovery_codes: RecoveryCodes }),
          ...errorResponses(401, 409, 415, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const { recoveryCodes } = await confirmTotpEnrollment(
        app.services,
        accountCaller(request, reply),
        request.body.code,
      )
      return { recovery_codes: recoveryCodes }
    },
  )

  app.post(
    '/mfa/recovery-codes',
    {
      preValidation: optionalJsonBody,
      schema: {
        tags,
        security,
        summary: 'Replace your recovery codes with ten new ones (step-up)',
        body: StepUpBody,
        response: {
          200: Type.Object({ recovery_codes: RecoveryCodes }),
          ...errorResponses(401, 403, 409, 415, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const { recoveryCodes } = await regenerateRecoveryCodes(
        app.services,
        accountCaller(request, reply),
        request.body,
      )
      return { recovery_codes: recoveryCodes }
    },
  )

  app.delete(
    '/mfa/totp',
    {
      preValidation: json,
      schema: {
        tags,
        security,
        summary: 'Disable TOTP (current password and a code); ends your other sessions',
        body: Type.Object({ password: Password, code: TotpCode }, { additionalProperties: false }),
        response: {
          200: Type.Object({ revoked_sessions: Type.Integer() }),
          ...errorResponses(401, 403, 409, 415, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const { revokedSessions } = await disableTotp(app.services, accountCaller(request, reply), request.body)
      return { revoked_sessions: revokedSessions }
    },
  )
}
