import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { setRateLimitHeaders } from '../plugins/throttle.ts'
import { withPasswordThrottle } from '../services/credentials.ts'
import { requestMeta } from './request-meta.ts'

/**
 * Runs a re-check of the caller's current password (rename, password change, deletion) under the same
 * brute-force throttle as logins to that account, so a stolen access token is no password oracle.
 */
export function underLoginThrottle<T>(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  check: () => Promise<T>,
): Promise<T> {
  return withPasswordThrottle(
    app.services,
    app.throttle.login,
    { username: request.auth!.user.username, meta: requestMeta(request) },
    (info) => setRateLimitHeaders(reply, info),
    check,
  )
}
