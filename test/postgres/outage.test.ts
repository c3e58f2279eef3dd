import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { connectDatabase, type DatabaseHandle } from '../../src/db/connect.ts'
import { isDatabaseUnavailable } from '../../src/db/errors.ts'
import { attemptLogin, attemptRegister, getWithToken, loginToken } from '../helpers/api.ts'
import { ManualClock } from '../helpers/clock.ts'
import { testConfig } from '../helpers/config.ts'
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/databases.ts'
import { defined } from '../helpers/defined.ts'
import { skipWithout } from '../helpers/services.ts'
import { startTcpProxy, type OutageMode, type TcpProxy } from '../helpers/tcp-proxy.ts'
import { waitFor } from '../helpers/wait.ts'

// Small on purpose: the claim is "503 within the timeout", so the timeout bounds the test's run time.
const STATEMENT_TIMEOUT_MS = 1000
// pg's client-side read timeout is the statement timeout plus 1 s (src/db/connect.ts); allow 1 s of slack.
const WORST_CASE_MS = STATEMENT_TIMEOUT_MS + 1000 + 1000

describe.skipIf(skipWithout(['postgres'], 'outage.test'))(
  'PostgreSQL outage (through a TCP proxy the test can cut)',
  () => {
    let database: TestDatabase
    let proxy: TcpProxy
    let handle: DatabaseHandle
    let app: FastifyInstance
    let token: string
    const credentials = { username: 'outage', password: 'correct horse battery' }

    beforeAll(async () => {
      database = await createTestDatabase('postgres')
      const upstream = new URL(defined(TEST_DATABASE_URL, 'TEST_DATABASE_URL'))
      proxy = await startTcpProxy({ host: upstream.hostname, port: Number(upstream.port || 5432) })
      const viaProxy = new URL(defined(TEST_DATABASE_URL, 'TEST_DATABASE_URL'))
      viaProxy.host = `127.0.0.1:${proxy.port}`
      handle = connectDatabase(
        { kind: 'postgres', url: viaProxy.toString() },
        {
          searchPath: database.schema,
          statementTimeoutMs: STATEMENT_TIMEOUT_MS,
          poolMax: 4,
          // Dropped idle connections are expected here; the pool replaces them.
          onPoolError: () => {},
        },
      )
      app = await buildApp(testConfig(), { clock: new ManualClock(), database: handle, logger: false })
      expect((await attemptRegister(app, credentials.username, credentials.password)).statusCode).toBe(201)
      token = await loginToken(app, credentials.username, credentials.password)
    })

    afterEach(() => proxy.restore())

    afterAll(async () => {
      proxy?.restore()
      await app?.close()
      await proxy?.close()
      await database?.close()
    })

    const profile = () => getWithToken(app, '/profile', token)
    const logIn = () => attemptLogin(app, credentials.username, credentials.password)

    it.each<OutageMode>(['reset', 'blackhole'])(
      '%s: 503 database_unavailable with Retry-After within the timeout, then recovery',
      async (mode) => {
        expect((await profile()).statusCode).toBe(200)
        try {
          proxy.cut(mode)
          const started = performance.now()
          const [profileResponse, loginResponse, ready, health] = await Promise.all([
            profile(),
            logIn(),
            app.inject({ method: 'GET', url: '/readyz' }),
            app.inject({ method: 'GET', url: '/healthz' }),
          ])
          const elapsed = performance.now() - started
          console.log(`[outage.test] ${mode}: all answers in ${Math.round(elapsed)} ms`)
          for (const response of [profileResponse, loginResponse, ready]) {
            expect(response.statusCode).toBe(503)
            expect(response.json()).toMatchObject({ code: 'database_unavailable' })
            expect(response.headers['retry-after']).toMatch(/^\d+$/)
          }
          expect(health.statusCode).toBe(200)
          expect(elapsed).toBeLessThan(WORST_CASE_MS)
        } finally {
          proxy.restore()
        }
        // Same app, no restart: the pool drops dead connections and opens new ones.
        const recovered = await waitFor(async () => (await profile()).statusCode === 200, 10_000)
        console.log(`[outage.test] ${mode}: recovered in ${Math.round(recovered)} ms`)
        expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200)
        const login = await logIn()
        expect(login.statusCode).toBe(200)
      },
    )

    it('a slow statement is cancelled by the statement timeout and counts as unavailable', async () => {
      const started = performance.now()
      const error = await sql`select pg_sleep(5)`.execute(handle.db).catch((caught: unknown) => caught)
      expect(performance.now() - started).toBeLessThan(WORST_CASE_MS)
      expect((error as { code?: string }).code).toBe('57014')
      expect(isDatabaseUnavailable(error)).toBe(true)
    })
  },
)
