import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { AppError } from '../errors.ts'
import { requireAuth } from '../plugins/authenticate.ts'
import { listOwnSessions, revokeOwnSession, revokeOwnSessions } from '../services/own-sessions.ts'
import { logout } from '../services/revocation.ts'
import { requestMeta } from './request-meta.ts'
import { bearerSecurity, errorResponses, NoContent } from './schemas.ts'

const SessionSchema = Type.Object({
  id: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  last_used_at: Type.String({ format: 'date-time' }),
  user_agent: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  current: Type.Boolean({ description: 'True for the session of the token making this request' }),
})

/** The caller's own sessions: list them, end one, end the others or all, and log out. Bearer-protected. */
export const sessionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/logout',
    {
      schema: {
        tags: ['sessions'],
        summary: 'End the current session',
        security: bearerSecurity,
        response: { 204: NoContent, ...errorResponses(401) },
      },
    },
    async (request, reply) => {
      await logout(app.services, requireAuth(request).sessionId, requestMeta(request))
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/sessions',
    {
      schema: {
        tags: ['sessions'],
        summary: "The caller's live sessions",
        security: bearerSecurity,
        response: { 200: Type.Array(SessionSchema), ...errorResponses(401) },
      },
    },
    async (request) => {
      const { user, sessionId } = requireAuth(request)
      return listOwnSessions(app.services, user.id, sessionId)
    },
  )

  app.delete(
    '/sessions/:id',
    {
      schema: {
        tags: ['sessions'],
        summary: 'End one of your sessions',
        security: bearerSecurity,
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 204: NoContent, ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const { user } = requireAuth(request)
      // Another user's session id answers exactly like an unknown one: 404, and nothing changes.
      const revoked = await revokeOwnSession(app.services, user.id, request.params.id, requestMeta(request))
      if (!revoked) throw new AppError(404, 'not_found', 'Session not found')
      return reply.code(204).send(null)
    },
  )

  app.delete(
    '/sessions',
    {
      schema: {
        tags: ['sessions'],
        summary: 'End your other sessions (scope=others) or all of them (scope=all)',
        security: bearerSecurity,
        querystring: Type.Object(
          { scope: Type.Union([Type.Literal('others'), Type.Literal('all')]) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ revoked: Type.Integer() }), ...errorResponses(401, 422) },
      },
    },
    async (request) => {
      const { user, sessionId } = requireAuth(request)
      const except = request.query.scope === 'others' ? sessionId : undefined
      const revoked = await revokeOwnSessions(app.services, user.id, except, requestMeta(request))
      return { revoked }
    },
  )
}
