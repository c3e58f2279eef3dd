import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { resetFactorsAsAdmin } from '../services/admin/mfa.ts'
import { adminActor } from './request-meta.ts'
import { bearerSecurity, errorResponses } from './schemas.ts'

/** Second-factor administration: reset a user's factors. Admins only. */
export const adminMfaRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.delete(
    '/admin/users/:id/mfa',
    {
      schema: {
        tags: ['admin'],
        security: bearerSecurity,
        summary: 'Remove all the user’s second factors and revoke all their sessions (audited)',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: {
          200: Type.Object({ revoked_sessions: Type.Integer() }),
          ...errorResponses(401, 403, 404),
        },
      },
    },
    async (request) => {
      const { revokedSessions } = await resetFactorsAsAdmin(
        app.services,
        adminActor(request),
        request.params.id,
      )
      return { revoked_sessions: revokedSessions }
    },
  )
}
