import { loadConfig, type Config } from '../../src/config.ts'

/** A fixed 32+ byte secret for tests only. */
export const TEST_SECRET = 'test-secret-that-is-long-enough-0123456789'

/**
 * What every test instance, in this process or a child one, starts from: a fixed secret and issuer,
 * cheap argon2 parameters and no logs. The cheap parameters exist only here; the server's defaults are
 * OWASP's.
 */
export const TEST_ENV: Readonly<Record<string, string>> = {
  GATEHOUSE_SECRET: TEST_SECRET,
  GATEHOUSE_ISSUER: 'http://gatehouse.test',
  GATEHOUSE_ARGON2_MEMORY_KIB: '64',
  GATEHOUSE_ARGON2_ITERATIONS: '1',
  GATEHOUSE_LOG_LEVEL: 'silent',
}

/** Configuration for tests: TEST_ENV on in-memory SQLite, with `env` on top. */
export function testConfig(env: Record<string, string | undefined> = {}): Config {
  return loadConfig({ GATEHOUSE_DATABASE_URL: 'sqlite::memory:', ...TEST_ENV, ...env })
}

/**
 * Limits high enough that a test sending many failed logins and registrations from one address on
 * purpose never meets them. Brute-force throttling has tests of its own, with its own settings.
 */
export const LENIENT_LIMITS_ENV: Record<string, string> = {
  GATEHOUSE_LOGIN_MAX_FAILURES: '1000',
  GATEHOUSE_REGISTER_PER_IP_PER_HOUR: '1000000',
}
