import type { Config } from '../config.ts'
import { connectDatabase, databaseFileWarnings, type DatabaseHandle, type PoolUse } from '../db/connect.ts'
import { countActiveSessions, countPendingEmails } from '../db/stats.ts'
import { developmentSecretWarnings } from '../dev-secret.ts'
import { migrateToLatest } from '../db/migrate.ts'
import type { Logger } from '../logger.ts'
import { systemClock, type Clock } from './clock.ts'
import { observeAuditEvents } from './audit-observer.ts'
import type { ServiceContext } from './context.ts'
import { SecretBox } from './keys/encryption.ts'
import { KeyStore } from './keys/key-store.ts'
import { createMetrics } from './metrics.ts'
import { startedLifecycle } from './lifecycle.ts'
import { resealTotpSecrets } from './mfa/reseal.ts'
import { createPasswordHasher } from './passwords.ts'
import { logSecurityEvent } from './security-events.ts'
import { createThrottles } from './throttle/build.ts'

/** What a caller (the server, the CLI, a test) may supply instead of the defaults. */
export interface ContextDependencies {
  clock?: Clock
  database?: DatabaseHandle
}

/**
 * Builds the service context: connects, migrates, loads keys, warms the hasher and opens the throttle
 * store. The HTTP server and the CLI both start here, so neither depends on the other.
 */
export async function createServiceContext(
  config: Config,
  log: Logger,
  dependencies: ContextDependencies = {},
): Promise<ServiceContext> {
  const clock = dependencies.clock ?? systemClock
  const metrics = createMetrics({ processMetrics: metricsEnabled(config) })
  const handle =
    dependencies.database ??
    connectDatabase(config.database, {
      poolMax: config.databasePoolMax,
      statementTimeoutMs: config.databaseStatementTimeoutMs,
      onPoolError: () => metrics.databaseErrors.inc(),
    })
  const { dialect } = handle
  // Every audit event recorded through this database is also a security-event log line and a metric.
  const db = observeAuditEvents(handle.db, (event) => {
    logSecurityEvent(log, event)
    metrics.observeAuditEvent(event)
  })
  // Files made by an older version, or copied in by hand, may be readable by everyone: say so at start.
  const openFiles = [
    ...databaseFileWarnings(config.database),
    ...(config.secretGenerated ? developmentSecretWarnings(config.database) : []),
  ]
  for (const warning of openFiles) log.warn(warning)
  try {
    await migrateToLatest(db)
    const secretBox = new SecretBox(config.secret, config.secretPrevious)
    const keys = new KeyStore(db, config, clock, secretBox)
    await keys.initialize()
    await resealTotpSecrets(db, secretBox, config.secretPrevious)
    const passwords = await createPasswordHasher(config.argon2, {
      concurrency: config.hashConcurrency,
      queueMax: config.hashQueueMax,
    })
    const throttles = await createThrottles(config, { db, dialect }, clock, log)
    const lifecycle = startedLifecycle()
    const context = {
      db,
      dialect,
      config,
      clock,
      keys,
      passwords,
      secretBox,
      throttles,
      log,
      metrics,
      lifecycle,
    }
    observeContext(context, handle.pool)
    return context
  } catch (error) {
    await db.destroy()
    throw error
  }
}

/** Metrics (and Node's process metrics) are collected only when something can scrape them. */
function metricsEnabled(config: Config): boolean {
  return config.metrics.token !== undefined || config.metrics.bind !== undefined
}

/** Points the scrape-time gauges and the hashing histograms at this context. */
function observeContext(context: ServiceContext, pool: PoolUse | undefined): void {
  const { metrics } = context
  context.passwords.semaphore.observe((waitSeconds, runSeconds) => {
    metrics.hashWait.observe(waitSeconds)
    metrics.hashDuration.observe(runSeconds)
  })
  metrics.sample('active_sessions', () => countActiveSessions(context.db, context.clock.now()))
  metrics.sample('password_hash_queue_depth', () => context.passwords.semaphore.load.waiting)
  metrics.sample('password_hash_running', () => context.passwords.semaphore.load.running)
  metrics.sample('signing_key_age_seconds', () => {
    const kid = context.keys.signingKid()
    const row = context.keys.loadedRows().find((candidate) => candidate.kid === kid)
    return row === undefined ? undefined : Math.max(0, (context.clock.now() - row.created_at) / 1000)
  })
  if (pool) {
    metrics.sample('database_pool_connections', () => pool.totalCount)
    metrics.sample('database_pool_idle', () => pool.idleCount)
    metrics.sample('database_pool_waiting', () => pool.waitingCount)
  }
  metrics.sample('email_outbox_depth', async () => (await countPendingEmails(context.db)).pending)
  if (context.config.redisUrl !== undefined) {
    metrics.sample('redis_up', () => (context.throttles.redisStatus() === 'ready' ? 1 : 0))
  }
}

/** Releases what the context opened: the counter store connection, then the database. */
export async function closeServiceContext(context: ServiceContext): Promise<void> {
  context.throttles.close()
  await context.db.destroy()
}
