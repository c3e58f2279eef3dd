import type { Config } from '../config.ts'
import { connectDatabase, databaseFileWarnings, type DatabaseHandle } from '../db/connect.ts'
import { developmentSecretWarnings } from '../dev-secret.ts'
import { migrateToLatest } from '../db/migrate.ts'
import type { Logger } from '../logger.ts'
import { systemClock, type Clock } from './clock.ts'
import type { ServiceContext } from './context.ts'
import { SecretBox } from './keys/encryption.ts'
import { KeyStore } from './keys/key-store.ts'
import { resealTotpSecrets } from './mfa/reseal.ts'
import { createPasswordHasher } from './passwords.ts'
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
  const { db, dialect } =
    dependencies.database ??
    connectDatabase(config.database, {
      poolMax: config.databasePoolMax,
      statementTimeoutMs: config.databaseStatementTimeoutMs,
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
    return { db, dialect, config, clock, keys, passwords, secretBox, throttles, log }
  } catch (error) {
    await db.destroy()
    throw error
  }
}

/** Releases what the context opened: the counter store connection, then the database. */
export async function closeServiceContext(context: ServiceContext): Promise<void> {
  context.throttles.close()
  await context.db.destroy()
}
