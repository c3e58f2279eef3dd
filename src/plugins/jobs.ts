import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { settlePasswordResetRequests } from '../services/email/forgot-password.ts'
import { sendDueEmails, type OutboxPass } from '../services/email/sender.ts'
import { runUnderLease } from '../services/jobs/lease.ts'
import { purgeAuditEventsPastRetention, purgeExpiredRecords } from '../services/jobs/purge-expired.ts'
import { runKeyMaintenance, type RotationContext, type RotationOutcome } from '../services/keys/rotation.ts'
import { KEY_PICKUP_INTERVAL_MS } from '../services/keys/schedule.ts'
import { newId } from '../services/random.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Runs the expired-record purge now (the timer runs it hourly). */
    purgeExpired: () => Promise<void>
    /** Deletes audit events past retention now (the timer runs it every 6 hours). */
    purgeAuditEvents: () => Promise<number>
    /** Runs one key maintenance pass now (the timer runs it every pick-up interval). */
    runKeyMaintenance: () => Promise<RotationOutcome>
    /** This instance's rotation context (its lease holder id included). */
    keyRotation: RotationContext
    /** Runs one pass of the email outbox sender now (the timer runs it every second). */
    sendOutbox: () => Promise<OutboxPass>
  }
}

const HOUR_MS = 60 * 60 * 1000
// A purge lease lapses this long before its holder's next tick renews it, so a dead holder is replaced.
const PURGE_LEASE_MARGIN_MS = 60_000
// A queued message waits at most this long; a pass that finds nothing due costs one indexed read.
const OUTBOX_INTERVAL_MS = 1000

/**
 * The background jobs, each a framework-free service function on a timer. A failing run is logged and
 * retried at the next tick; it never takes the server down. Every job runs on one instance of a
 * deployment at a time: key rotation and the mail sender take a lease inside the service, the purges
 * take one here (db/leases.ts).
 */
export const jobsPlugin = fp(async (app: FastifyInstance) => {
  const context = app.services
  const keyRotation: RotationContext = { ...context, instanceId: newId() }

  const purgeExpired = async () => {
    const purged = await purgeExpiredRecords(context)
    if (purged.sessions + purged.oneTimeSecrets + purged.outbox > 0)
      app.log.info(purged, 'purged expired records')
  }
  const purgeAuditEvents = async () => {
    const purged = await purgeAuditEventsPastRetention(context)
    if (purged > 0) app.log.info({ purged }, 'purged audit events past retention')
    return purged
  }
  const maintainKeys = async () => {
    const outcome = await runKeyMaintenance(keyRotation)
    if (outcome.createdKid || outcome.retiredKids.length > 0) app.log.info(outcome, 'signing keys rotated')
    return outcome
  }

  const sendOutbox = () => sendDueEmails(context, keyRotation.instanceId)
  // A pass slower than the interval (a slow SMTP server) is not overlapped by the next one.
  let outboxPass: Promise<OutboxPass> | undefined
  const nextOutboxPass = () =>
    (outboxPass ??= sendOutbox().finally(() => {
      outboxPass = undefined
    }))
  if (context.config.email.smtpUrl === undefined) {
    app.log.warn(
      `GATEHOUSE_SMTP_URL is not set: email is only written to files in ${context.config.email.outboxDirectory}`,
    )
  }

  // Purging is idempotent, but several instances deleting the same rows each hour is wasted work and
  // lock contention: one instance of the deployment purges per interval (the manual decorators do not ask).
  const leased = (name: string, intervalMs: number, run: () => Promise<unknown>) => () =>
    runUnderLease(
      context,
      { name, holder: keyRotation.instanceId, ttlMs: intervalMs - PURGE_LEASE_MARGIN_MS },
      run,
    )

  const running = new Set<Promise<unknown>>()
  const timers = [
    // With several workers only one purges and sends mail (GATEHOUSE_BACKGROUND_JOBS, set by
    // src/workers.ts); key maintenance runs in each, since it reloads that process's keys and creates
    // keys under a lease.
    ...(context.config.backgroundJobs
      ? [
          schedule('email outbox', nextOutboxPass, OUTBOX_INTERVAL_MS),
          schedule('expired-record purge', leased('expired-record-purge', HOUR_MS, purgeExpired), HOUR_MS),
          schedule('audit purge', leased('audit-purge', 6 * HOUR_MS, purgeAuditEvents), 6 * HOUR_MS),
        ]
      : []),
    schedule('key maintenance', maintainKeys, KEY_PICKUP_INTERVAL_MS),
  ]
  app.decorate('purgeExpired', purgeExpired)
  app.decorate('purgeAuditEvents', purgeAuditEvents)
  app.decorate('runKeyMaintenance', maintainKeys)
  app.decorate('keyRotation', keyRotation)
  app.decorate('sendOutbox', sendOutbox)
  app.addHook('onClose', async () => {
    timers.forEach((timer) => clearInterval(timer))
    // A pass under way finishes before the services plugin closes the database under it.
    await Promise.allSettled(running)
    await settlePasswordResetRequests(context)
  })

  function schedule(name: string, run: () => Promise<unknown>, intervalMs: number): NodeJS.Timeout {
    const timer = setInterval(() => {
      const pass = run()
        .catch((error: unknown) => app.log.warn({ err: error }, `${name} failed; will retry`))
        .finally(() => running.delete(pass))
      running.add(pass)
    }, intervalMs)
    timer.unref()
    return timer
  }
})
