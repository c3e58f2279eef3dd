import type { FastifyInstance, FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
import { Redis } from 'ioredis'
import {
  memoryCounterStore,
  postgresCounterStore,
  redisCounterStore,
  type CounterStore,
  type CounterStoreKind,
} from '../services/throttle/counters.ts'
import { createStoreHealth } from '../services/throttle/health.ts'
import { LoginThrottle } from '../services/throttle/login-throttle.ts'
import type { RateLimitInfo } from '../services/throttle/rate-limit-info.ts'
import { WindowLimit } from '../services/throttle/window-limit.ts'

/** Every throttle the routes use, on one counter store. */
export interface Throttles {
  readonly store: CounterStoreKind
  /** Failed logins per account, per (account, IP) and per IP, for /login and the /token password grant. */
  readonly login: LoginThrottle
  /** Registrations per IP per hour. */
  readonly register: WindowLimit
  /** Refused refresh tokens per IP (token guessing). */
  readonly refreshFailures: WindowLimit
  /** Refused introspection calls and inactive answers per IP (token and client-secret guessing). */
  readonly introspectFailures: WindowLimit
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Brute-force and abuse throttles. */
    throttle: Throttles
  }
}

// Token-guessing quotas per IP and login window. Refresh and access tokens carry 256 bits, so these are
// defence in depth and sized to leave a NAT full of honest clients with stale tokens alone.
const REFRESH_FAILURES_PER_IP = 50
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

/** Sets RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset on a reply. */
export function setRateLimitHeaders(reply: FastifyReply, info: RateLimitInfo): void {
  reply
    .header('ratelimit-limit', String(info.limit))
    .header('ratelimit-remaining', String(Math.max(0, info.remaining)))
    .header('ratelimit-reset', String(Math.max(0, Math.ceil(info.resetSeconds))))
}

/**
 * Chooses the counter store (Redis when configured, else PostgreSQL when that is the database, else
 * memory) so that several instances never silently count apart, and builds the throttles on it.
 */
export const throttlePlugin = fp(async (app: FastifyInstance) => {
  const { config, clock, db, dialect } = app.services
  const failureMode = config.redisFailureMode
  const kind: CounterStoreKind = config.redisUrl ? 'redis' : dialect === 'postgres' ? 'postgres' : 'memory'
  const logHealth = createStoreHealth(app.log, { store: kind, failureMode })
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
    redis = new Redis(config.redisUrl, {
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
    store = redisCounterStore(redis, config.redisKeyPrefix, health)
    // Give Redis a moment at start, so the first logins are counted; if it is down the server starts
    // anyway and the failure mode applies until it comes back.
    await waitUntilReady(redis, 2000)
  } else if (dialect === 'postgres') {
    store = await postgresCounterStore(db, health)
  } else {
    store = memoryCounterStore(health)
  }
  app.log.info({ store: kind, failureMode }, `throttle counters are kept in ${kind}`)

  app.decorate('throttle', {
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
    introspectFailures: new WindowLimit(store, clock, {
      name: 'introspect-failures',
      limit: INTROSPECT_FAILURES_PER_IP,
      windowSeconds: config.loginWindowSeconds,
      failureMode: 'open',
      detail: 'Too many failed introspection calls from this address; try again later',
    }),
  })

  app.addHook('onClose', async () => {
    // disconnect, not quit: quit waits for a reply a dead Redis never sends.
    redis?.disconnect()
  })
})
