import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { requireAuth } from '../plugins/authenticate.ts'
import { requestEmailChange } from '../services/email/change.ts'
import { requestEmailVerification } from '../services/email/verification.ts'
import { requireContentType } from './content-type.ts'
import { accountCaller, requestMeta } from './request-meta.ts'
import { bearerSecurity, errorResponses } from './schemas.ts'

const Message = Type.Object({ message: Type.String() })

/** POST /email/verification and PUT /profile/email; bearer-protected (see protected.ts). */
export const emailAccountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/email/verification',
    {
      schema: {
        tags: ['email'],
        summary: 'Send the current address a verification link and a six-digit code',
        description:
          'An already verified address gets nothing; a throttled request gets the same 202. 409 ' +
          '`email_missing` when the account has no address.',
        security: bearerSecurity,
        response: { 202: Message, ...errorResponses(401, 409) },
      },
    },
    async (request, reply) => {
      await requestEmailVerification(app.services, {
        userId: requireAuth(request).user.id,
        meta: requestMeta(request),
      })
      return reply.code(202).send({ message: 'If the address needs verifying, a message is on its way' })
    },
  )

  app.put(
    '/profile/email',
    {
      preValidation: requireContentType('application/json'),
      schema: {
        tags: ['email'],
        summary: 'Change the email address; `password` is the current password',
        description:
          'The new address gets a link and a code, the old one a notice. Nothing changes until the new ' +
          'address is confirmed with POST /email/verify. The password check shares the login throttle.',
        security: bearerSecurity,
        body: Type.Object(
          {
            email: Type.String({ minLength: 3, maxLength: 320, description: 'The new address' }),
            password: Type.String({ minLength: 1, maxLength: 4096, description: 'The current password' }),
            code: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 16,
                description: 'A TOTP code: needed when the login is older than GATEHOUSE_REAUTH_MAX_AGE',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 202: Message, ...errorResponses(401, 403, 409, 415, 422, 429) },
      },
    },
    async (request, reply) => {
      await requestEmailChange(app.services, accountCaller(request, reply), request.body)
      return reply.code(202).send({ message: 'Confirm the new address with the link or code sent to it' })
    },
  )
}
