import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { changePassword, deleteAccount } from '../services/account.ts'
import { requireContentType } from './content-type.ts'
import { underLoginThrottle } from './password-guard.ts'
import { requestMeta } from './request-meta.ts'
import { bearerSecurity, errorResponses } from './schemas.ts'

const Password = Type.String({ minLength: 1, maxLength: 4096 })

/** Password change and account deletion; both need the current password as proof. */
export const accountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // onRequest: an unauthenticated caller gets 401 before any body is parsed or validated (no schema leaks).
  app.addHook('onRequest', app.authenticate)

  app.post(
    '/profile/password',
    {
      preValidation: requireContentType('application/json'),
      schema: {
        tags: ['profile'],
        summary: 'Change your password; every other session is signed out, this one stays',
        security: bearerSecurity,
        body: Type.Object(
          { current_password: Password, new_password: Password },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ message: Type.String(), revoked_sessions: Type.Integer() }),
          ...errorResponses(401, 403, 415, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const { user, sessionId } = request.auth!
      const { revokedSessions } = await underLoginThrottle(app, request, reply, () =>
        changePassword(app.services, user.id, sessionId, request.body, requestMeta(request)),
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
        body: Type.Object({ password: Password }, { additionalProperties: false }),
        response: { ...errorResponses(401, 403, 415, 422, 429) },
      },
    },
    async (request, reply) => {
      await underLoginThrottle(app, request, reply, () =>
        deleteAccount(app.services, request.auth!.user.id, request.body.password, requestMeta(request)),
      )
      return reply.code(204).send()
    },
  )
}
