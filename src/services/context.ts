import type { Kysely } from 'kysely'
import type { Config } from '../config.ts'
import type { Database, Dialect } from '../db/schema.ts'
import type { Logger } from '../logger.ts'
import type { Clock } from './clock.ts'
import type { SecretBox } from './keys/encryption.ts'
import type { KeyStore } from './keys/key-store.ts'
import type { Metrics } from './metrics.ts'
import type { Lifecycle } from './lifecycle.ts'
import type { PasswordHasher } from './passwords.ts'
import type { Throttles } from './throttle/build.ts'

/** The dependencies every service function receives explicitly; services never import Fastify. */
export interface ServiceContext {
  readonly db: Kysely<Database>
  readonly dialect: Dialect
  readonly config: Config
  readonly clock: Clock
  readonly keys: KeyStore
  readonly passwords: PasswordHasher
  /** Seals secrets at rest (private keys, grace-window responses) under GATEHOUSE_SECRET. */
  readonly secretBox: SecretBox
  /** Brute-force and abuse throttles, built once from config on one counter store. */
  readonly throttles: Throttles
  readonly log: Logger
  /** Prometheus metrics of this context (served on /metrics only when configured). */
  readonly metrics: Metrics
  /** Whether the process is stopping (read by /readyz while it drains). */
  readonly lifecycle: Lifecycle
}
