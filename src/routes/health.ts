import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { sql } from 'kysely'
import { DatabaseUnavailableError } from '../errors.ts'

/** Liveness (the process answers) and readiness (the database answers). */
export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/healthz', { schema: { tags: ['health'], summary: 'The process is up' } }, async () => ({
    status: 'ok',
  }))

  app.get('/readyz', { schema: { tags: ['health'], summary: 'The database answers' } }, async () => {
    try {
      await sql`select 1`.execute(app.services.db)
    } catch (error) {
      throw new DatabaseUnavailableError(error)
    }
    return { status: 'ready' }
  })
}
