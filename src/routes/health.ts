import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { checkReadiness } from '../services/health.ts'

/** Liveness (the process answers) and readiness (the database answers). */
export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/healthz', { schema: { tags: ['health'], summary: 'The process is up' } }, async () => ({
    status: 'ok',
  }))

  app.get('/readyz', { schema: { tags: ['health'], summary: 'The database answers' } }, async () =>
    checkReadiness(app.services),
  )
}
