import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { newId } from '../services/random.ts'
import { runKeyMaintenance, type RotationContext, type RotationOutcome } from '../services/keys/rotation.ts'
import { KEY_PICKUP_INTERVAL_MS } from '../services/keys/schedule.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Runs one key maintenance pass now (the timer runs it every pick-up interval). */
    runKeyMaintenance: () => Promise<RotationOutcome>
    /** This instance's rotation context (its lease holder id included). */
    keyRotation: RotationContext
  }
}

/** Every instance reloads keys on a timer; the lease holder also rotates them when due. */
export const keyMaintenancePlugin = fp(async (app: FastifyInstance) => {
  const { db, keys, config, clock } = app.services
  const context: RotationContext = { db, keys, config, clock, instanceId: newId() }
  const run = async () => {
    const outcome = await runKeyMaintenance(context)
    if (outcome.createdKid || outcome.retiredKids.length > 0) app.log.info(outcome, 'signing keys rotated')
    return outcome
  }
  const timer = setInterval(() => {
    run().catch((error: unknown) => app.log.warn({ err: error }, 'key maintenance failed; will retry'))
  }, KEY_PICKUP_INTERVAL_MS)
  timer.unref()
  app.decorate('keyRotation', context)
  app.decorate('runKeyMaintenance', run)
  app.addHook('onClose', async () => clearInterval(timer))
})
