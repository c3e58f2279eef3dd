import SQLite from 'better-sqlite3'
import { CompiledQuery, type Kysely } from 'kysely'
import type { Redis } from 'ioredis'
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterSQLite,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible'
import { isDatabaseUnavailable } from '../../db/errors.ts'
import type { Database } from '../../db/schema.ts'
import { DatabaseUnavailableError } from '../../errors.ts'
import { CounterStoreError } from './errors.ts'

/** Where throttle counters live. */
export type CounterStoreKind = 'memory' | 'redis' | 'postgres' | 'sqlite'

/**
 * An atomic counter family. rate-limiter-flexible gives the atomic increment on every store (a Lua
 * script on Redis, an upsert on PostgreSQL); the throttling policy on top reads time from the injected
 * clock, so the store's own real-time TTL only garbage-collects old keys.
 */
export interface Counter {
  /** Adds one atomically and returns the new value. */
  increment(key: string): Promise<number>
  /** Gives one back, for an attempt that was refused or never checked. */
  decrement(key: string): Promise<void>
  read(key: string): Promise<number | undefined>
  write(key: string, value: number): Promise<void>
  remove(key: string): Promise<void>
}

/** Makes counter families on one store. */
export interface CounterStore {
  readonly kind: CounterStoreKind
  /** A family of counters whose keys are forgotten `ttlSeconds` (real time) after they were created. */
  counter(name: string, ttlSeconds: number): Counter
  /** Releases a connection the store opened for itself. */
  close?(): void
}

// Far above any count we make, so consume() never rejects for "too many points": we decide, not the library.
const UNLIMITED = 2 ** 30

/** Reports store failures to the log at most once per interval, and the recovery once. */
export interface StoreHealth {
  failed(error: unknown): void
  succeeded(): void
}

function wrap(
  limiter: RateLimiterAbstract,
  ttlSeconds: number,
  health: StoreHealth,
  inApplicationDatabase = false,
): Counter {
  const call = async <T>(operation: () => Promise<T>): Promise<T> => {
    try {
      const result = await operation()
      health.succeeded()
      return result
    } catch (error) {
      health.failed(error)
      // Counters in the application database: its outage is the database's, answered like every other.
      if (inApplicationDatabase && isDatabaseUnavailable(error)) throw new DatabaseUnavailableError(error)
      throw new CounterStoreError(error)
    }
  }
  return {
    increment: (key) => call(async () => (await limiter.consume(key, 1)).consumedPoints),
    decrement: (key) => call(async () => void (await limiter.reward(key, 1))),
    read: (key) => call(async () => (await limiter.get(key))?.consumedPoints),
    write: (key, value) => call(async () => void (await limiter.set(key, value, ttlSeconds))),
    remove: (key) => call(async () => void (await limiter.delete(key))),
  }
}

/** Counters in this process only: right for one instance, wrong for several. */
export function memoryCounterStore(health: StoreHealth): CounterStore {
  return {
    kind: 'memory',
    counter: (name, ttlSeconds) =>
      wrap(
        new RateLimiterMemory({ keyPrefix: name, points: UNLIMITED, duration: ttlSeconds }),
        ttlSeconds,
        health,
      ),
  }
}

/** Counters in Redis, shared by every instance that uses the same Redis and key prefix. */
export function redisCounterStore(redis: Redis, keyPrefix: string, health: StoreHealth): CounterStore {
  return {
    kind: 'redis',
    counter: (name, ttlSeconds) =>
      wrap(
        new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: `${keyPrefix}:${name}`,
          points: UNLIMITED,
          duration: ttlSeconds,
          // Fail at once while reconnecting instead of waiting behind a dead connection.
          rejectIfRedisNotReady: true,
        }),
        ttlSeconds,
        health,
      ),
  }
}

/** What every counter family in the shared `throttle_counters` table is given, whatever the database. */
interface TableCounterOptions {
  tableName: string
  tableCreated: true
  keyPrefix: string
  points: number
  duration: number
  clearExpiredByTimeout: boolean
}

/**
 * Counter families in the `throttle_counters` table, which migration 2026-11-30-006 created (never at
 * run time); `createLimiter` adds the database's own connection to the shared options.
 */
function tableCounters(
  health: StoreHealth,
  createLimiter: (options: TableCounterOptions) => RateLimiterAbstract,
): CounterStore['counter'] {
  let first = true
  return (name, ttlSeconds) => {
    const limiter = createLimiter({
      tableName: 'throttle_counters',
      tableCreated: true,
      keyPrefix: name,
      points: UNLIMITED,
      duration: ttlSeconds,
      // One sweeper for the shared table is enough.
      clearExpiredByTimeout: first,
    })
    first = false
    return wrap(limiter, ttlSeconds, health, true)
  }
}

/**
 * Counters in the application's PostgreSQL database, through its own Kysely pool, so they land in the
 * schema its search_path names. rate-limiter-flexible only needs `query({text, values})`; the table is
 * created by a migration (2026-11-30-006), never at run time.
 */
export function postgresCounterStore(db: Kysely<Database>, health: StoreHealth): CounterStore {
  const storeClient = {
    query: async (query: { text: string; values?: unknown[] }) => {
      const result = await db.executeQuery(CompiledQuery.raw(query.text, query.values ?? []))
      return { rows: result.rows, rowCount: Number(result.numAffectedRows ?? result.rows.length) }
    },
  }
  return {
    kind: 'postgres',
    counter: tableCounters(
      health,
      (options) => new RateLimiterPostgres({ storeClient, storeType: 'pool', ...options }),
    ),
  }
}

/**
 * Counters in the application's SQLite file, for several worker processes on one machine (each would
 * otherwise count in its own memory and multiply every limit). A connection of its own, so a counter
 * write never lands inside a transaction Kysely has open on the main connection; the table is the one
 * migration 2026-11-30-006 created. Counters are not worth an fsync per failed login: NORMAL sync.
 */
export function sqliteCounterStore(path: string, health: StoreHealth): CounterStore {
  const database = new SQLite(path)
  database.pragma('journal_mode = WAL')
  database.pragma('synchronous = NORMAL')
  database.pragma('busy_timeout = 5000')
  return {
    kind: 'sqlite',
    counter: tableCounters(
      health,
      (options) => new RateLimiterSQLite({ storeClient: database, storeType: 'better-sqlite3', ...options }),
    ),
    close: () => database.close(),
  }
}
