import { randomBytes } from 'node:crypto'
import { TEST_DATABASE_URL } from './databases.ts'

// The outside services a suite may need, and how a suite says it skips for want of one. A skip happens
// only when the URL is unset; with GATEHOUSE_TEST_REQUIRE_SERVICES=1 the global setup refuses to start.

/** The Redis server tests may use; unset means Redis suites are skipped (except in CI). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL

/** The services a suite can depend on, by the variable that points tests at them. */
const SERVICE_URLS = {
  postgres: { variable: 'TEST_DATABASE_URL', example: 'postgres://…', url: TEST_DATABASE_URL },
  redis: { variable: 'TEST_REDIS_URL', example: 'redis://…', url: TEST_REDIS_URL },
} as const

/** Prints why `suite` is skipped when a service it needs is not configured; returns whether it is. */
export function skipWithout(services: Array<keyof typeof SERVICE_URLS>, suite: string): boolean {
  const missing = services.map((service) => SERVICE_URLS[service]).filter((service) => !service.url)
  if (missing.length === 0) return false
  const settings = missing.map((service) => `${service.variable}=${service.example}`).join(' and ')
  console.log(`[gatehouse tests] ${suite} skipped: set ${settings} to run it`)
  return true
}

/** A Redis key prefix of its own, so tests sharing one Redis never see each other's counters. */
export function uniqueRedisPrefix(): string {
  return `gh-test-${randomBytes(6).toString('hex')}`
}

/** The environment that keeps an app's throttle counters in Redis (the test server unless `url` says otherwise). */
export function redisEnv(url = TEST_REDIS_URL, prefix = uniqueRedisPrefix()): Record<string, string> {
  if (!url) throw new Error('TEST_REDIS_URL is not set')
  return { GATEHOUSE_REDIS_URL: url, GATEHOUSE_REDIS_KEY_PREFIX: prefix }
}
