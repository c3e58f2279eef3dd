import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { listAuditPage } from '../services/admin/audit-log.ts'
import { bearerSecurity, errorResponses } from './schemas.ts'

const NullableString = Type.Union([Type.String(), Type.Null()])

const AuditEvent = Type.Object({
  id: Type.String(),
  at: Type.String({ format: 'date-time' }),
  action: Type.String(),
  outcome: Type.String(),
  actor_user_id: NullableString,
  target_user_id: NullableString,
  session_id: NullableString,
  ip: NullableString,
  user_agent: NullableString,
  request_id: NullableString,
  details: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
})

const AuditQuery = Type.Object(
  {
    action: Type.Optional(Type.String({ maxLength: 64 })),
    actor: Type.Optional(Type.String({ maxLength: 64 })),
    target: Type.Optional(Type.String({ maxLength: 64 })),
    since: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 date or date-time with zone' })),
    until: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601, exclusive' })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })),
  },
  { additionalProperties: false },
)

/** GET /admin/audit: the audit log, newest first, for admins only. */
export const adminAuditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/admin/audit',
    {
      schema: {
        tags: ['admin'],
        security: bearerSecurity,
        summary: 'Audit events, newest first; filter by action, actor, target and time',
        querystring: AuditQuery,
        response: {
          200: Type.Object({ items: Type.Array(AuditEvent), next_cursor: NullableString }),
          ...errorResponses(401, 403),
        },
      },
    },
    async (request) => listAuditPage(app.services, request.query),
  )
}
