import { createTestApp, type TestApp, type TestAppOptions } from '../helpers/app.ts'
import { LENIENT_LIMITS_ENV } from '../helpers/config.ts'
import { ADMIN_ENV } from '../helpers/users.ts'

/**
 * The environment every core test app starts with: core tests send many failed logins and registrations
 * from one address on purpose, and several need the bootstrap admin.
 */
export const CORE_ENV: Record<string, string> = { ...LENIENT_LIMITS_ENV, ...ADMIN_ENV }

/** A core test app: the chosen engine, the core environment, plus any overrides. */
export function createCoreApp(options: TestAppOptions = {}): Promise<TestApp> {
  return createTestApp({ ...options, env: { ...CORE_ENV, ...options.env } })
}
