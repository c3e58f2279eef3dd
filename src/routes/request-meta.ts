import type { FastifyReply, FastifyRequest } from 'fastify'
import { requireAuth } from '../plugins/authenticate.ts'
import type { AccountCaller } from '../services/account.ts'
import type { AdminActor } from '../services/admin/users.ts'
import type { RequestMeta } from '../services/audit.ts'
import { rateLimitHeaders, type RateLimitSink } from '../services/throttle/rate-limit-info.ts'

/** What the audit log keeps about a request: client address, user agent and Fastify's request id. */
export function requestMeta(request: FastifyRequest): RequestMeta {
  return { ip: request.ip, userAgent: request.headers['user-agent'] ?? null, requestId: request.id }
}

/** Puts a throttle's quota on the reply as RateLimit-* headers, whatever the outcome of the request. */
export function rateLimitSink(reply: FastifyReply): RateLimitSink {
  return (info) => void reply.headers(rateLimitHeaders(info))
}

/** The signed-in caller of an account change; call only behind the authenticate hook. */
export function accountCaller(request: FastifyRequest, reply: FastifyReply): AccountCaller {
  const { user, sessionId } = requireAuth(request)
  return {
    userId: user.id,
    username: user.username,
    sessionId,
    meta: requestMeta(request),
    onRateLimit: rateLimitSink(reply),
  }
}

/** The authenticated admin behind a request; call only behind the admin hooks. */
export function adminActor(request: FastifyRequest): AdminActor {
  const auth = requireAuth(request)
  return { userId: auth.user.id, sessionId: auth.sessionId, meta: requestMeta(request) }
}
