import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { changePassword, deleteAccount } from '../services/account.ts'
import { requireContentType } from './content-type.ts'
import { accountCaller } from './request-meta.ts'
import { bearerSecurity, errorResponses, NoContent } from './schemas.ts'

const Password = Type.String({ minLength: 1, maxLength: 4096 })

/** Password change and account deletion; both need the current password as proof. Bearer-protected. */
export const accountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/profile/password',
    {
      preValidation: requireContentType('application/json'),
      schema: {
        tags: ['profile'],
        summary: 'Change your password; every other session is signed out, this one stays',
        security: bearerSecurity,
        body: Type.Object(
          {
            current_password: Password,
            new_password: Password,
            // Step-up (issue 12): needed when the login is older than GATEHOUSE_REAUTH_MAX_AGE and the account has TOTP.
            code: Type.Optional(Type.String({ minLength: 1, maxLength: 16 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ message: Type.String(), revoked_sessions: Type.Integer() }),
          ...errorResponses(401, 403, 415, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const { revokedSessions } = await changePassword(
        app.services,
        accountCaller(request, reply),
        request.body,
      )
      return { message: 'Password changed', revoked_sessions: revokedSessions }
    },
  )

  app.delete(
    '/profile',
    {
      preValidation: requireContentType('application/json'),
      schema: {
        tags: ['profile'],
        summary: 'Delete your account and all its sessions',
        security: bearerSecurity,
        body: Type.Object(
          { password: Password, code: Type.Optional(Type.String({ minLength: 1, maxLength: 16 })) },
          { additionalProperties: false },
        ),
        response: { 204: NoContent, ...errorResponses(401, 403, 415, 422, 429) },
      },
    },
    async (request, reply) => {
      await deleteAccount(
        app.services,
        accountCaller(request, reply),
        request.body.password,
        request.body.code,
      )
      return reply.code(204).send(null)
    },
  )
}
