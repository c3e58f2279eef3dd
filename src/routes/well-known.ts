import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { createHash } from 'node:crypto'

// Resource servers cache the JWKS; five minutes bounds how long a new key takes to reach them.
const JWKS_MAX_AGE_SECONDS = 300

/** Public key discovery for resource servers. */
export const wellKnownRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/.well-known/jwks.json',
    { schema: { tags: ['discovery'], summary: 'Public signing keys (JWK Set)' } },
    async (request, reply) => {
      const body = JSON.stringify(app.services.keys.jwks())
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`
      reply.header('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`).header('etag', etag)
      if (request.headers['if-none-match'] === etag) return reply.code(304).send()
      return reply.type('application/json; charset=utf-8').send(body)
    },
  )
}
