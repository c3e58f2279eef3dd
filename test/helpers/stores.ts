import type { Dialect } from '../../src/db/schema.ts'
import { TEST_DATABASE_URL } from './databases.ts'
import { redisEnv, skipWithout, TEST_REDIS_URL } from './services.ts'

/** One way to run Gatehouse's throttles: an engine and the counter store it leads to. */
export interface StoreVariant {
  name: string
  dialect: Dialect
  store: 'memory' | 'postgres' | 'redis'
  /** Builds the environment; each call gets its own Redis key prefix so parallel files never share counts. */
  env(): Record<string, string>
}

/** SQLite with memory counters always; PostgreSQL with PostgreSQL counters, and with Redis counters. */
export const STORES: StoreVariant[] = [
  { name: 'sqlite + memory', dialect: 'sqlite', store: 'memory', env: () => ({}) },
  ...(TEST_DATABASE_URL
    ? [{ name: 'postgres + postgres', dialect: 'postgres', store: 'postgres', env: () => ({}) } as const]
    : []),
  ...(TEST_DATABASE_URL && TEST_REDIS_URL
    ? [
        {
          name: 'postgres + redis',
          dialect: 'postgres',
          store: 'redis',
          env: () => redisEnv(),
        } as const,
      ]
    : []),
]
skipWithout(['redis'], 'the Redis counter-store variants')
