import { loadConfig, type Config } from '../../src/config.ts'

/** A fixed 32+ byte secret for tests only. */
export const TEST_SECRET = 'test-secret-that-is-long-enough-0123456789'

/**
 * Configuration for tests: in-memory SQLite, a fixed secret and cheap argon2 parameters.
 * The cheap parameters exist only here; the server's defaults are OWASP's.
 */
export function testConfig(env: Record<string, string | undefined> = {}): Config {
  return loadConfig({
    GATEHOUSE_DATABASE_URL: 'sqlite::memory:',
    GATEHOUSE_SECRET: TEST_SECRET,
    GATEHOUSE_ISSUER: 'http://gatehouse.test',
    GATEHOUSE_ARGON2_MEMORY_KIB: '64',
    GATEHOUSE_ARGON2_ITERATIONS: '1',
    GATEHOUSE_LOG_LEVEL: 'silent',
    ...env,
  })
}

/**
 * Limits high enough that a test sending many failed logins and registrations from one address on
 * purpose never meets them. Brute-force throttling has tests of its own, with its own settings.
 */
export const LENIENT_LIMITS_ENV: Record<string, string> = {
  GATEHOUSE_LOGIN_MAX_FAILURES: '1000',
  GATEHOUSE_REGISTER_PER_IP_PER_HOUR: '1000000',
}
