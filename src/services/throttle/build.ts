import { Redis } from 'ioredis'
import type { Kysely } from 'kysely'
import type { Config } from '../../config.ts'
import type { Database, Dialect } from '../../db/schema.ts'
import type { Logger } from '../../logger.ts'
import type { Clock } from '../clock.ts'
import {
  memoryCounterStore,
  postgresCounterStore,
  redisCounterStore,
  sqliteCounterStore,
  type CounterStore,
  type CounterStoreKind,
} from './counters.ts'
import { createStoreHealth } from './health.ts'
import { LoginThrottle } from './login-throttle.ts'
import { WindowLimit } from './window-limit.ts'

/** Every throttle the services use, on one counter store. */
export interface Throttles {
  readonly store: CounterStoreKind
  /** Failed logins per account, per (account, IP) and per IP: /login, /token and password re-checks. */
  readonly login: LoginThrottle
  /** Registrations per IP per hour. */
  readonly register: WindowLimit
  /** Refused refresh tokens per IP (token guessing). */
  readonly refreshFailures: WindowLimit
  /** Refused introspection calls and inactive answers per IP (token and client-secret guessing). */
  readonly introspectFailures: WindowLimit
  /** WebAuthn login challenges issued per IP: each is a stored row, asked for before anyone signs in. */
  readonly webauthnChallenges: WindowLimit
  /** Messages Gatehouse sends per recipient address, per account and per client IP (issue 11). */
  readonly mail: { readonly address: WindowLimit; readonly account: WindowLimit; readonly ip: WindowLimit }
  /** The Redis connection's state ('ready' when usable); undefined when Redis is not configured. */
  redisStatus(): string | undefined
  /** Closes the connection to the counter store, if there is one. */
  close(): void
}

// Token-guessing quotas per IP and login window. Refresh and access tokens carry 256 bits, so these are
// defence in depth and sized to leave a NAT full of honest clients with stale tokens alone.
const REFRESH_FAILURES_PER_IP = 50
// Passkey sign-in options per IP and login window: far above what people at one address need.
const WEBAUTHN_CHALLENGES_PER_IP = 100
const INTROSPECT_FAILURES_PER_IP = 200
// Per-IP login failures over all accounts: generous, so one office or carrier NAT is not locked out.
const IP_FAILURES_PER_ACCOUNT_LIMIT = 10

function waitUntilReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(done, timeoutMs)
    redis.once('ready', done)
    function done() {
      clearTimeout(timer)
      redis.off('ready', done)
      resolve()
    }
  })
}

function connectRedis(url: string, health: { failed(error: unknown): void; succeeded(): void }): Redis {
  const redis = new Redis(url, {
    // Commands fail at once while disconnected instead of queueing without bound during an outage.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    // A partitioned Redis never answers; a login must not hang on it.
    commandTimeout: 1000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  })
  // Without a listener every reconnect failure would be an unhandled 'error' event.
  redis.on('error', (error) => health.failed(error))
  redis.on('ready', () => health.succeeded())
  return redis
}

/**
 * Chooses the counter store (Redis when configured, else PostgreSQL when that is the database, else
 * memory) so that several instances never silently count apart, and builds the throttles on it.
 */
export async function createThrottles(
  config: Config,
  database: { db: Kysely<Database>; dialect: Dialect },
  clock: Clock,
  log: Logger,
): Promise<Throttles> {
  const failureMode = config.redisFailureMode
  // Several workers on one SQLite file share it for counters too; one process keeps them in memory.
  const sqlitePath =
    config.database.kind === 'sqlite' && config.workers > 1 ? config.database.path : undefined
  const kind: CounterStoreKind = config.redisUrl
    ? 'redis'
    : database.dialect === 'postgres'
      ? 'postgres'
      : sqlitePath
        ? 'sqlite'
        : 'memory'
  const logHealth = createStoreHealth(log, { store: kind, failureMode })
  let redis: Redis | undefined
  const health = {
    failed(error: unknown) {
      logHealth.failed(error)
      // A timed-out command means a connection that went silent (a partition): ioredis would keep
      // waiting on it forever, so drop it and let the reconnect logic open a fresh one.
      if (redis && error instanceof Error && /timed out/i.test(error.message)) redis.disconnect(true)
    },
    succeeded: () => logHealth.succeeded(),
  }

  let store: CounterStore
  if (config.redisUrl) {
    redis = connectRedis(config.redisUrl, health)
    store = redisCounterStore(redis, config.redisKeyPrefix, health)
    // Give Redis a moment at start, so the first logins are counted; if it is down the server starts
    // anyway and the failure mode applies until it comes back.
    await waitUntilReady(redis, 2000)
  } else if (database.dialect === 'postgres') {
    store = postgresCounterStore(database.db, health)
  } else if (sqlitePath) {
    store = sqliteCounterStore(sqlitePath, health)
  } else {
    store = memoryCounterStore(health)
  }
  log.info({ store: kind, failureMode }, `throttle counters are kept in ${kind}`)

  return {
    store: kind,
    login: new LoginThrottle(store, clock, {
      maxFailures: config.loginMaxFailures,
      ipMaxFailures: config.loginMaxFailures * IP_FAILURES_PER_ACCOUNT_LIMIT,
      windowSeconds: config.loginWindowSeconds,
      maxBackoffSeconds: config.loginMaxBackoffSeconds,
      failureMode,
    }),
    register: new WindowLimit(store, clock, {
      name: 'register',
      limit: config.registerPerIpPerHour,
      windowSeconds: 3600,
      failureMode,
      detail: 'Too many registrations from this address; try again later',
    }),
    // Token guessing is hopeless against 256-bit tokens, so an outage lets these through (fail open).
    refreshFailures: new WindowLimit(store, clock, {
      name: 'refresh-failures',
      limit: REFRESH_FAILURES_PER_IP,
      windowSeconds: config.loginWindowSeconds,
      failureMode: 'open',
      detail: 'Too many invalid refresh tokens from this address; try again later',
    }),
    // Fail open: a challenge grants nothing by itself; the limit only bounds how fast a script adds rows.
    webauthnChallenges: new WindowLimit(store, clock, {
      name: 'webauthn-challenges',
      limit: WEBAUTHN_CHALLENGES_PER_IP,
      windowSeconds: config.loginWindowSeconds,
      failureMode: 'open',
      detail: 'Too many passkey sign-in attempts from this address; try again later',
    }),
    introspectFailures: new WindowLimit(store, clock, {
      name: 'introspect-failures',
      limit: INTROSPECT_FAILURES_PER_IP,
      windowSeconds: config.loginWindowSeconds,
      failureMode: 'open',
      detail: 'Too many failed introspection calls from this address; try again later',
    }),
    mail: mailLimits(store, clock, config),
    redisStatus: () => redis?.status,
    // disconnect, not quit: quit waits for a reply a dead Redis never sends.
    close: () => {
      redis?.disconnect()
      store.close?.()
    },
  }
}

// A throttled mail request answers like any other (no enumeration), so these only stop the sending.
function mailLimits(store: CounterStore, clock: Clock, config: Config): Throttles['mail'] {
  const limit = (name: string, perHour: number) =>
    new WindowLimit(store, clock, {
      name,
      limit: perHour,
      windowSeconds: 3600,
      failureMode: config.redisFailureMode,
      detail: 'Too many messages; try again later',
    })
  return {
    address: limit('mail-address', config.email.perAddressPerHour),
    account: limit('mail-account', config.email.perAccountPerHour),
    ip: limit('mail-ip', config.email.perIpPerHour),
  }
}
