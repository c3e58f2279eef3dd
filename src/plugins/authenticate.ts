import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { AppError } from '../errors.ts'
import { authenticateAccessToken, type Authenticated } from '../services/tokens/authenticate.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the `authenticate` hook: who is calling, as the database sees them now. */
    auth: Authenticated | null
  }
  interface FastifyInstance {
    /** preHandler hook: requires a valid Bearer access token on a live session. */
    authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
    /** preHandler hook: requires the caller's database role to be admin. Use after `authenticate`. */
    requireAdmin: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
}

/** Bearer authentication (RFC 6750). Only the Authorization header counts; query-string tokens are ignored. */
export const authenticatePlugin = fp(async (app: FastifyInstance) => {
  app.decorateRequest('auth', null)
  app.decorate('authenticate', async (request: FastifyRequest) => {
    request.auth = await authenticateAccessToken(app.services, request.headers.authorization)
  })
  app.decorate('requireAdmin', async (request: FastifyRequest) => {
    // The role comes from the database row loaded for this request; a role claim in the token is never read.
    if (request.auth?.user.role !== 'admin') throw new AppError(403, 'forbidden', 'Forbidden')
  })
})

/**
 * The caller of a route registered behind the authenticate hook (see routes/protected.ts). Throws 401
 * instead of trusting a non-null assertion, so a route registered outside the group fails closed.
 */
export function requireAuth(request: FastifyRequest): Authenticated {
  if (!request.auth)
    throw new AppError(401, 'not_authenticated', 'Not authenticated', { 'www-authenticate': 'Bearer' })
  return request.auth
}
