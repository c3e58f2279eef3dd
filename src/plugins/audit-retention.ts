import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { purgeAuditEventsBefore } from '../db/audit.ts'

const PURGE_INTERVAL_MS = 6 * 60 * 60 * 1000
const DAY_MS = 86_400_000

declare module 'fastify' {
  interface FastifyInstance {
    /** Deletes audit events older than GATEHOUSE_AUDIT_RETENTION_DAYS now; the timer runs it every 6 hours. */
    purgeAuditEvents: () => Promise<number>
  }
}

/**
 * Audit retention. Every instance may run it: the delete is idempotent, so no lease is needed. A
 * failure is logged and retried at the next tick; it must never take the server down.
 */
export const auditRetentionPlugin = fp(async (app: FastifyInstance) => {
  const purge = async (): Promise<number> => {
    const { clock, config, db } = app.services
    const purged = await purgeAuditEventsBefore(db, clock.now() - config.auditRetentionDays * DAY_MS)
    if (purged > 0) app.log.info({ purged }, 'purged audit events past retention')
    return purged
  }
  const timer = setInterval(() => {
    purge().catch((error: unknown) => app.log.warn({ err: error }, 'audit purge failed; will retry'))
  }, PURGE_INTERVAL_MS)
  timer.unref()
  app.decorate('purgeAuditEvents', purge)
  app.addHook('onClose', async () => clearInterval(timer))
})
