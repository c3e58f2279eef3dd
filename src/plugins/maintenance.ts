import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { purgeExpiredSessions } from '../db/sessions.ts'

const PURGE_INTERVAL_MS = 60 * 60 * 1000

/** Periodic clean-up: expired sessions (and, by cascade, their refresh tokens) are deleted hourly. */
export const maintenancePlugin = fp(async (app: FastifyInstance) => {
  const purge = async () => {
    try {
      const purged = await purgeExpiredSessions(app.services.db, app.services.clock.now())
      if (purged > 0) app.log.info({ purged }, 'purged expired sessions')
    } catch (error) {
      app.log.warn({ err: error }, 'session purge failed; will retry')
    }
  }
  const timer = setInterval(() => void purge(), PURGE_INTERVAL_MS)
  timer.unref()
  app.decorate('purgeExpired', purge)
  app.addHook('onClose', async () => clearInterval(timer))
})

declare module 'fastify' {
  interface FastifyInstance {
    /** Runs the expired-session purge now (the timer runs it hourly). */
    purgeExpired: () => Promise<void>
  }
}
