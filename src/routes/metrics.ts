import type { FastifyPluginAsync } from 'fastify'
import { createHash, timingSafeEqual } from 'node:crypto'
import { unauthorized } from '../errors.ts'
import { renderMetrics } from '../services/metrics.ts'

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest()

/**
 * GET /metrics on the main port, behind GATEHOUSE_METRICS_TOKEN as a bearer token. Registered only when
 * the token is set; the loopback listener (plugins/metrics.ts) needs none. Hidden from /docs: it is for
 * Prometheus, not for API clients.
 */
export const metricsRoutes: FastifyPluginAsync<{ token: string }> = async (app, options) => {
  const expected = digest(`Bearer ${options.token}`)
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    const presented = request.headers.authorization
    if (presented === undefined) throw unauthorized('not_authenticated', 'Not authenticated')
    // Digests of equal length, so the comparison takes the same time whatever was sent.
    if (!timingSafeEqual(digest(presented), expected)) throw unauthorized('invalid_token', 'Invalid token')
    const { contentType, body } = await renderMetrics(app.services)
    return reply.type(contentType).send(body)
  })
}
