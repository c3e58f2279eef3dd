import { existsSync } from 'node:fs'
import { skipWithout } from '../helpers/services.ts'
import { HAPROXY } from './infrastructure.ts'

/**
 * Whether a cluster suite skips: it needs the services named and haproxy. With
 * GATEHOUSE_TEST_REQUIRE_SERVICES=1 (CI) a missing one fails the run instead of skipping.
 */
export function skipClusterSuite(suite: string, services: Array<'postgres' | 'redis'>): boolean {
  if (!existsSync(HAPROXY)) {
    if (process.env.GATEHOUSE_TEST_REQUIRE_SERVICES === '1')
      throw new Error(`${suite}: ${HAPROXY} is missing (apt-get install -y haproxy)`)
    console.log(`[gatehouse tests] ${suite} skipped: ${HAPROXY} is missing (apt-get install -y haproxy)`)
    return true
  }
  return skipWithout(services, suite)
}
