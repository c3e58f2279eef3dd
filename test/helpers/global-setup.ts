// Says out loud which suites run, and refuses to let CI skip the ones it promised to run.

/** Runs once before every suite: prints which service suites run, and fails if CI's are missing. */
export default function setup(): void {
  const required = process.env.GATEHOUSE_TEST_REQUIRE_SERVICES === '1'
  if (!process.env.TEST_DATABASE_URL) {
    if (required) throw new Error('GATEHOUSE_TEST_REQUIRE_SERVICES=1 but TEST_DATABASE_URL is not set')
    console.log('[gatehouse tests] PostgreSQL suites skipped: set TEST_DATABASE_URL=postgres://… to run them')
  } else {
    console.log('[gatehouse tests] PostgreSQL suites run against TEST_DATABASE_URL')
  }
  if (!process.env.TEST_REDIS_URL) {
    if (required) throw new Error('GATEHOUSE_TEST_REQUIRE_SERVICES=1 but TEST_REDIS_URL is not set')
    console.log('[gatehouse tests] Redis suites skipped: set TEST_REDIS_URL=redis://… to run them')
  } else {
    console.log('[gatehouse tests] Redis suites run against TEST_REDIS_URL')
  }
}
