import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import { bearerChallenge, extractBearerToken } from './bearer.ts'
import type { AccessTokenClaims } from './claims.ts'
import { VerifyError } from './errors.ts'
import { createVerifier, type Verifier, type VerifierOptions } from './verifier.ts'

/**
 * Either verifier options, or a verifier shared with other code (one JWKS cache for both).
 *
 * @example
 * ```ts
 * await app.register(fastifyGatehouse, { verifier: createVerifier({ issuer, audience }) })
 * ```
 */
export type FastifyGatehouseOptions = VerifierOptions | { verifier: Verifier }

/**
 * What a route may require beyond a valid token.
 *
 * @example
 * ```ts
 * app.get('/admin/report', { preHandler: app.requireAuth({ role: 'admin' }) }, report)
 * ```
 */
export interface RequireAuthOptions {
  /** The token's `role` claim must equal this. */
  role?: string
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Builds a preHandler that requires a valid Gatehouse token, and optionally a role. */
    requireAuth(options?: RequireAuthOptions): preHandlerAsyncHookHandler
  }
}

const REQUEST_PROPERTY = 'auth'

/**
 * Fastify plugin: decorates `request.auth` (null until `requireAuth` accepts a token) and adds
 * `app.requireAuth({ role? })`, a preHandler that answers RFC 6750 challenges itself.
 *
 * The role is the token's `role` claim, as issued: a resource server has no database. Gatehouse's
 * own endpoints read the role from the database on every request instead.
 *
 * @example
 * ```ts
 * await app.register(fastifyGatehouse, { issuer: 'https://id.example.com', audience: 'gatehouse' })
 * app.get('/orders', { preHandler: app.requireAuth() }, async (request) => listOrders(getAuth(request).sub))
 * app.delete('/orders/:id', { preHandler: app.requireAuth({ role: 'admin' }) }, deleteOrder)
 * ```
 */
export const fastifyGatehouse = fp(
  async (app: FastifyInstance, options: FastifyGatehouseOptions) => {
    const verifier = 'verifier' in options ? options.verifier : createVerifier(options)
    app.decorateRequest(REQUEST_PROPERTY, null)
    app.decorate('requireAuth', (requirements: RequireAuthOptions = {}): preHandlerAsyncHookHandler => {
      return async function requireGatehouseToken(request: FastifyRequest, reply: FastifyReply) {
        let claims: AccessTokenClaims
        try {
          claims = await verifier.verify(extractBearerToken(request.headers.authorization))
        } catch (error) {
          if (!(error instanceof VerifyError)) throw error
          request.log.debug({ code: error.code }, 'access token refused')
          const challenge = bearerChallenge(error)
          return reply.code(challenge.status).headers(challenge.headers).send(challenge.body)
        }
        if (requirements.role !== undefined && claims.role !== requirements.role) {
          const challenge = bearerChallenge('insufficient_scope')
          return reply.code(challenge.status).headers(challenge.headers).send(challenge.body)
        }
        ;(request as unknown as Record<string, unknown>)[REQUEST_PROPERTY] = claims
      }
    })
  },
  { fastify: '5.x', name: '@gatehouse/verify' },
)

/**
 * The claims `requireAuth` accepted for this request. Typed access to `request.auth`, which this
 * package does not add to FastifyRequest's type: that would clash with apps that already declare an
 * `auth` of their own (Gatehouse itself does).
 *
 * @example
 * ```ts
 * app.get('/me', { preHandler: app.requireAuth() }, async (request) => ({ id: getAuth(request).sub }))
 * ```
 */
export function getAuth(request: FastifyRequest): AccessTokenClaims {
  const claims = (request as unknown as Record<string, unknown>)[REQUEST_PROPERTY] as AccessTokenClaims | null
  if (!claims) throw new Error('getAuth() called on a route without app.requireAuth()')
  return claims
}
