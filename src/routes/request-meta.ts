import type { FastifyRequest } from 'fastify'
import type { RequestMeta } from '../services/audit.ts'
import type { AdminActor } from '../services/admin/users.ts'

/** What the audit log keeps about a request: client address, user agent and Fastify's request id. */
export function requestMeta(request: FastifyRequest): RequestMeta {
  return { ip: request.ip, userAgent: request.headers['user-agent'] ?? null, requestId: request.id }
}

/** The authenticated admin behind a request; call only after the authenticate hook. */
export function adminActor(request: FastifyRequest): AdminActor {
  const auth = request.auth!
  return { userId: auth.user.id, sessionId: auth.sessionId, meta: requestMeta(request) }
}
