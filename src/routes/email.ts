import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { requireAuth } from '../plugins/authenticate.ts'
import { requestPasswordReset } from '../services/email/forgot-password.ts'
import { resetPassword } from '../services/email/password-reset.ts'
import { verifyEmail } from '../services/email/verification.ts'
import { requireContentType } from './content-type.ts'
import { requestMeta } from './request-meta.ts'
import { bearerSecurity, errorResponses, ProfileSchema } from './schemas.ts'

// The email endpoints anyone may call (issue 11). Links in messages open a page whose button makes
// these POSTs: nothing here acts on GET, so a mail scanner fetching a link changes nothing.

const Token = Type.String({
  minLength: 1,
  maxLength: 128,
  description: 'The token from the link (the part after #token=)',
})
const Code = Type.String({ pattern: '^[0-9]{6}$', description: 'The six-digit code from the message' })
const Email = Type.String({ minLength: 3, maxLength: 320, description: 'An email address' })
const NewPassword = Type.String({
  minLength: 1,
  maxLength: 4096,
  description: 'The new password; the registration password policy applies',
})
const Message = Type.Object({ message: Type.String() })

/** The one answer of POST /password/forgot, whatever the input. */
export const FORGOT_PASSWORD_ANSWER = {
  message:
    'If an account with a verified email address matches, a message with a link and a code is on its way',
}

const json = requireContentType('application/json')

/** POST /email/verify, POST /password/forgot, POST /password/reset. */
export const emailRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/email/verify',
    {
      preValidation: json,
      schema: {
        tags: ['email'],
        summary: 'Confirm an email address (verification or change) with the link token, or a code',
        description:
          '`{"token"}` from the link needs no sign-in; `{"code"}` needs the Bearer token of the account ' +
          'the code was sent for. A pending address change is confirmed here too. Single use.',
        security: [{}, ...bearerSecurity],
        body: Type.Union([
          Type.Object({ token: Token }, { additionalProperties: false }),
          Type.Object({ code: Code }, { additionalProperties: false }),
        ]),
        response: { 200: ProfileSchema, ...errorResponses(400, 401, 409, 415, 422) },
      },
    },
    async (request, reply) => {
      const body = request.body
      if ('code' in body) await app.authenticate(request, reply)
      const input = 'code' in body ? { code: body.code, userId: requireAuth(request).user.id } : body
      return verifyEmail(app.services, input, requestMeta(request))
    },
  )

  app.post(
    '/password/forgot',
    {
      preValidation: json,
      schema: {
        tags: ['email'],
        summary: 'Ask for a password reset link and code by email',
        description:
          'Always 202 with the same body, in the same time, whether or not the account exists, has a ' +
          'verified address or is throttled: the lookup and the sending happen after the answer.',
        body: Type.Union([
          Type.Object({ email: Email }, { additionalProperties: false }),
          Type.Object(
            { username: Type.String({ minLength: 1, maxLength: 256 }) },
            { additionalProperties: false },
          ),
        ]),
        response: { 202: Message, ...errorResponses(415, 422) },
      },
    },
    async (request, reply) => {
      await requestPasswordReset(app.services, request.body, requestMeta(request))
      return reply.code(202).send(FORGOT_PASSWORD_ANSWER)
    },
  )

  app.post(
    '/password/reset',
    {
      preValidation: json,
      schema: {
        tags: ['email'],
        summary: 'Set a new password with the link token, or the address and the code',
        description:
          'Every session of the account is revoked, every other reset link dies, and a "your password ' +
          'was changed" notice is sent. A password the policy refuses (422) leaves the link usable, and ' +
          'the code too, unless it was refused for being the username (checked once the code is).',
        body: Type.Union([
          Type.Object({ token: Token, new_password: NewPassword }, { additionalProperties: false }),
          Type.Object(
            { email: Email, code: Code, new_password: NewPassword },
            { additionalProperties: false },
          ),
        ]),
        response: {
          200: Type.Object({ message: Type.String(), revoked_sessions: Type.Integer() }),
          ...errorResponses(400, 415, 422),
        },
      },
    },
    async (request) => {
      const { revokedSessions } = await resetPassword(app.services, request.body, requestMeta(request))
      return { message: 'Your password has been reset', revoked_sessions: revokedSessions }
    },
  )
}
