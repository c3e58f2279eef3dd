import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createStoreHealth } from '../../src/services/throttle/health.ts'
import { attemptLogin, getWithToken, loginToken, registerUser } from '../helpers/api.ts'
import { createTestApp, type TestApp } from '../helpers/app.ts'
import { defined } from '../helpers/defined.ts'
import { closedAfterEach } from '../helpers/hooks.ts'
import { redisEnv, skipWithout, TEST_REDIS_URL } from '../helpers/services.ts'
import { startTcpProxy, type OutageMode, type TcpProxy } from '../helpers/tcp-proxy.ts'
import { PASSWORD } from '../helpers/users.ts'
import { waitFor } from '../helpers/wait.ts'

const ENV = {
  GATEHOUSE_LOGIN_MAX_FAILURES: '3',
  GATEHOUSE_LOGIN_WINDOW: '600',
  GATEHOUSE_LOGIN_MAX_BACKOFF: '8',
}
const WRONG = 'not the right password'

describe.skipIf(skipWithout(['redis', 'postgres'], 'Redis counters shared by two instances'))(
  'counters shared through Redis by two instances',
  () => {
    let first: TestApp
    let second: TestApp
    beforeAll(async () => {
      const env = { ...ENV, ...redisEnv() }
      first = await createTestApp({ dialect: 'postgres', env })
      second = await createTestApp({ dialect: 'postgres', env, database: first.database, clock: first.clock })
    })
    afterAll(async () => {
      await second?.close()
      await first?.close()
    })

    it('holds a limit counted by one instance on the other', async () => {
      await registerUser(first.app, 'shared-victim')
      for (let i = 0; i < 3; i++)
        expect((await attemptLogin(first.app, 'shared-victim', WRONG)).statusCode).toBe(401)
      const onSecond = await attemptLogin(second.app, 'shared-victim', PASSWORD)
      expect(onSecond.statusCode).toBe(429)
      expect(onSecond.headers['retry-after']).toBe('1')
    })
  },
)

describe.skipIf(skipWithout(['redis'], 'the Redis outage tests'))(
  'Redis outage (through a TCP proxy the test cuts, never the shared Redis)',
  () => {
    let proxy: TcpProxy
    // Registered before the restore below, so it runs after it: apps close with the proxy working.
    const fresh = closedAfterEach()
    beforeAll(async () => {
      const upstream = new URL(defined(TEST_REDIS_URL, 'TEST_REDIS_URL'))
      proxy = await startTcpProxy({ host: upstream.hostname, port: Number(upstream.port || 6379) })
    })
    afterEach(() => {
      proxy.restore()
    })
    afterAll(async () => {
      proxy?.restore()
      await proxy?.close()
    })

    async function start(mode: 'open' | 'closed') {
      const { app } = await fresh.app({
        env: { ...ENV, ...redisEnv(`redis://127.0.0.1:${proxy.port}`), GATEHOUSE_REDIS_FAILURE_MODE: mode },
      })
      await registerUser(app, 'outage-user')
      const token = await loginToken(app, 'outage-user')
      return { app, token }
    }

    it.each<OutageMode>(['reset', 'blackhole'])(
      'closed (%s): login answers 503 with Retry-After, the rest stays up, and throttling resumes by itself',
      async (outage) => {
        const { app, token } = await start('closed')
        proxy.cut(outage)
        const refused = await attemptLogin(app, 'outage-user', PASSWORD)
        expect(refused.statusCode).toBe(503)
        expect(refused.headers['retry-after']).toBe('5')
        expect(refused.json()).toMatchObject({ code: 'server_busy' })
        const profile = await getWithToken(app, '/profile', token)
        expect(profile.statusCode).toBe(200)

        proxy.restore()
        await waitFor(
          async () => (await attemptLogin(app, 'outage-user', WRONG)).statusCode === 401,
          10_000,
          100,
        )
        for (let i = 0; i < 2; i++) await attemptLogin(app, 'outage-user', WRONG)
        expect((await attemptLogin(app, 'outage-user', PASSWORD)).statusCode).toBe(429)
      },
    )

    it('open: logins go through unthrottled while Redis is down', async () => {
      const { app } = await start('open')
      proxy.cut('reset')
      for (let i = 0; i < 5; i++) expect((await attemptLogin(app, 'outage-user', WRONG)).statusCode).toBe(401)
      expect((await attemptLogin(app, 'outage-user', PASSWORD)).statusCode).toBe(200)
    })
  },
)

describe('store outage log', () => {
  it('logs an outage once per interval and the recovery once', () => {
    const lines: string[] = []
    let now = 0
    const log = {
      warn: (_: object, message: string) => lines.push(message),
      info: (_: object, message: string) => lines.push(message),
    }
    const health = createStoreHealth(log, { store: 'redis', failureMode: 'closed' }, 60_000, () => now)
    for (let i = 0; i < 100; i++) health.failed(new Error('connect ECONNREFUSED'))
    now = 59_999
    health.failed(new Error('connect ECONNREFUSED'))
    now = 60_000
    health.failed(new Error('connect ECONNREFUSED'))
    health.succeeded()
    health.succeeded()
    expect(lines).toEqual([
      'throttle counter store unavailable',
      'throttle counter store unavailable',
      'throttle counter store recovered',
    ])
  })
})
