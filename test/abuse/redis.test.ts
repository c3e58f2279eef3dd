import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createStoreHealth } from '../../src/services/throttle/health.ts'
import { createTestApp, type TestApp } from '../helpers/app.ts'
import { TEST_DATABASE_URL } from '../helpers/databases.ts'
import { startTcpProxy, type OutageMode, type TcpProxy } from '../postgres/tcp-proxy.ts'
import { waitFor } from '../postgres/wait-for.ts'
import { login, PASSWORD, register, TEST_REDIS_URL, uniqueRedisPrefix } from './support.ts'

const ENV = {
  GATEHOUSE_LOGIN_MAX_FAILURES: '3',
  GATEHOUSE_LOGIN_WINDOW: '600',
  GATEHOUSE_LOGIN_MAX_BACKOFF: '8',
}
const WRONG = 'not the right password'

describe.skipIf(!TEST_REDIS_URL || !TEST_DATABASE_URL)(
  'counters shared through Redis by two instances',
  () => {
    let first: TestApp
    let second: TestApp
    beforeAll(async () => {
      const env = {
        ...ENV,
        GATEHOUSE_REDIS_URL: TEST_REDIS_URL!,
        GATEHOUSE_REDIS_KEY_PREFIX: uniqueRedisPrefix(),
      }
      first = await createTestApp({ dialect: 'postgres', env })
      second = await createTestApp({ dialect: 'postgres', env, database: first.database, clock: first.clock })
    })
    afterAll(async () => {
      await second?.close()
      await first?.close()
    })

    it('holds a limit counted by one instance on the other', async () => {
      await register(first.app, 'shared-victim')
      for (let i = 0; i < 3; i++)
        expect((await login(first.app, 'shared-victim', WRONG)).statusCode).toBe(401)
      const onSecond = await login(second.app, 'shared-victim', PASSWORD)
      expect(onSecond.statusCode).toBe(429)
      expect(onSecond.headers['retry-after']).toBe('1')
    })
  },
)

describe.skipIf(!TEST_REDIS_URL)(
  'Redis outage (through a TCP proxy the test cuts, never the shared Redis)',
  () => {
    let proxy: TcpProxy
    const apps: TestApp[] = []
    beforeAll(async () => {
      const upstream = new URL(TEST_REDIS_URL!)
      proxy = await startTcpProxy({ host: upstream.hostname, port: Number(upstream.port || 6379) })
    })
    afterEach(async () => {
      proxy.restore()
      for (const app of apps.splice(0)) await app.close()
    })
    afterAll(async () => {
      proxy?.restore()
      await proxy?.close()
    })

    async function start(mode: 'open' | 'closed') {
      const testApp = await createTestApp({
        env: {
          ...ENV,
          GATEHOUSE_REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
          GATEHOUSE_REDIS_KEY_PREFIX: uniqueRedisPrefix(),
          GATEHOUSE_REDIS_FAILURE_MODE: mode,
        },
      })
      apps.push(testApp)
      await register(testApp.app, 'outage-user')
      const token = (await login(testApp.app, 'outage-user', PASSWORD)).json<{ access_token: string }>()
        .access_token
      return { app: testApp.app, token }
    }

    it.each<OutageMode>(['reset', 'blackhole'])(
      'closed (%s): login answers 503 with Retry-After, the rest stays up, and throttling resumes by itself',
      async (outage) => {
        const { app, token } = await start('closed')
        proxy.cut(outage)
        const refused = await login(app, 'outage-user', PASSWORD)
        expect(refused.statusCode).toBe(503)
        expect(refused.headers['retry-after']).toBe('5')
        expect(refused.json()).toMatchObject({ code: 'server_busy' })
        const profile = await app.inject({ url: '/profile', headers: { authorization: `Bearer ${token}` } })
        expect(profile.statusCode).toBe(200)

        proxy.restore()
        await waitFor(async () => (await login(app, 'outage-user', WRONG)).statusCode === 401, 10_000, 100)
        for (let i = 0; i < 2; i++) await login(app, 'outage-user', WRONG)
        expect((await login(app, 'outage-user', PASSWORD)).statusCode).toBe(429)
      },
    )

    it('open: logins go through unthrottled while Redis is down', async () => {
      const { app } = await start('open')
      proxy.cut('reset')
      for (let i = 0; i < 5; i++) expect((await login(app, 'outage-user', WRONG)).statusCode).toBe(401)
      expect((await login(app, 'outage-user', PASSWORD)).statusCode).toBe(200)
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
