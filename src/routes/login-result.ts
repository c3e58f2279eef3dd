import { Type } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ServiceContext } from '../services/context.ts'
import type { LoginResult } from '../services/login/types.ts'
import { sendTokens } from './browser-cookies.ts'

/**
 * The 403 of a login that needs one more step: `mfa_required` (with the methods the account has) or
 * `mfa_enrollment_required`. `mfa_token` carries the login to that step; nothing else is issued.
 */
export const SecondFactorRequiredBody = Type.Object(
  {
    detail: Type.String(),
    code: Type.String(),
    request_id: Type.Optional(Type.String()),
    mfa_token: Type.Optional(
      Type.String({ description: 'Single-use, 5 minutes (10 for enrollment); give it to the next step' }),
    ),
    methods: Type.Optional(
      Type.Array(Type.Union([Type.Literal('totp'), Type.Literal('recovery_code'), Type.Literal('webauthn')])),
    ),
  },
  { description: 'Forbidden; or a second factor (or its enrollment) is required: see `code`' },
)

/**
 * Answers a login: tokens through the one token reply (`sendTokens`: cookie mode, device token,
 * no-store), or the 403 that asks for the second factor or its enrollment.
 */
export function sendLoginResult(
  request: FastifyRequest,
  reply: FastifyReply,
  context: ServiceContext,
  result: LoginResult,
) {
  switch (result.kind) {
    case 'tokens':
      return sendTokens(request, reply, context, result.pair)
    case 'mfa_required':
      return reply.code(403).header('cache-control', 'no-store').send({
        detail: 'Second factor required',
        code: 'mfa_required',
        mfa_token: result.mfaToken,
        methods: result.methods,
      })
    case 'mfa_enrollment_required':
      return reply.code(403).header('cache-control', 'no-store').send({
        detail: 'A second factor must be enrolled before signing in',
        code: 'mfa_enrollment_required',
        mfa_token: result.mfaToken,
      })
  }
}
