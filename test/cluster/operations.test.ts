import autocannon from 'autocannon'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LENIENT_LIMITS_ENV } from '../helpers/config.ts'
import { postJson } from '../helpers/http.ts'
import { failures, startLoad, tally, type Load, type LoadRequest, type Outcome } from '../helpers/load.ts'
import { uniqueRedisPrefix } from '../helpers/services.ts'
import { PASSWORD } from '../helpers/users.ts'
import { waitFor } from '../helpers/wait.ts'
import {
  basePort,
  clusterEnv,
  logIn,
  registerAndLogIn,
  startCluster,
  type GatehouseCluster,
} from './gatehouse-cluster.ts'
import {
  adminQuery,
  cleanup,
  startHaproxy,
  startPrivatePostgres,
  startPrivateRedis,
  type PrivatePostgres,
  type PrivateRedis,
} from './infrastructure.ts'
import { skipClusterSuite } from './requirements.ts'

// Issue 17, operations under load through haproxy: a rolling restart, an instance killed, the database
// and Redis restarted, and throughput with one, two and three instances. PostgreSQL and Redis here are
// private ones the suite starts (and may restart), never the machine's shared services.

const LOOPS = 6
const summary: string[] = []

describe.skipIf(skipClusterSuite('cluster operations', []))(
  'operations on three instances behind haproxy',
  () => {
    const base = basePort()
    let postgres: PrivatePostgres
    let redis: PrivateRedis
    let databaseUrl: string
    let cluster: GatehouseCluster
    let token: string
    let registrations = 0
    const acknowledged: string[] = []
    const direct = (index: number) => `http://127.0.0.1:${cluster.ports[index]}`

    beforeAll(async () => {
      postgres = await startPrivatePostgres(base + 20)
      redis = await startPrivateRedis(base + 21)
      await adminQuery(postgres.url, 'create database gatehouse')
      databaseUrl = postgres.url.replace(/\/postgres$/, '/gatehouse')
      // Short timeouts, so requests during a database outage answer 503 quickly instead of queueing.
      const env = clusterEnv(databaseUrl, redis.url, uniqueRedisPrefix(), {
        ...LENIENT_LIMITS_ENV,
        GATEHOUSE_DB_STATEMENT_TIMEOUT_MS: '2000',
      })
      cluster = await startCluster(base, 3, env)
      token = (await registerAndLogIn(cluster.balancer.baseUrl, 'steady', PASSWORD)).access_token
    }, 240_000)

    afterAll(async () => {
      console.log(`[cluster] summary\n${summary.join('\n')}`)
      await cleanup()
    }, 60_000)

    /** Profile reads, logins and registrations through the balancer; acknowledged registrations are kept. */
    const loadThroughBalancer = (): Load => {
      const url = cluster.balancer.baseUrl
      const mix: LoadRequest[] = [
        {
          name: 'profile',
          send: () => fetch(`${url}/profile`, { headers: { authorization: `Bearer ${token}` } }),
        },
        { name: 'login', send: () => postJson(url, '/login', { username: 'steady', password: PASSWORD }) },
        {
          name: 'register',
          send: async () => {
            const username = `load${(registrations += 1)}`
            const response = await postJson(url, '/register', { username, password: PASSWORD })
            if (response.status === 201) acknowledged.push(username)
            return response
          },
        },
      ]
      return startLoad(mix, LOOPS)
    }

    /** Every acknowledged registration is in the database. */
    const expectNothingLost = async () => {
      const { rows } = await adminQuery(databaseUrl, "select username from users where username like 'load%'")
      const stored = new Set(rows.map((row: { username: string }) => row.username))
      expect(acknowledged.filter((username) => !stored.has(username))).toEqual([])
    }

    it('started three instances at once on an empty database with exactly one signing key', async () => {
      const { rows } = await adminQuery(databaseUrl, 'select kid from signing_keys')
      expect(rows).toHaveLength(1)
      summary.push(`simultaneous start: ${rows.length} signing key`)
    })

    it('measures requests per second through haproxy with 1, 2 and 3 instances', async () => {
      const figures: string[] = []
      for (const count of [1, 2, 3]) {
        const servers = cluster.ports
          .slice(0, count)
          .map((port, index) => ({ name: `gatehouse${index}`, address: `127.0.0.1:${port}` }))
        const balancer = await startHaproxy(base + 30 + count * 2, servers)
        await waitFor(async () => (await balancer.serversUp()).length === count, 20_000, 100)
        const result = await autocannon({
          url: `${balancer.baseUrl}/profile`,
          headers: { authorization: `Bearer ${token}` },
          connections: 16,
          duration: 5,
        })
        await balancer.stop()
        expect(result.non2xx + result.errors).toBe(0)
        figures.push(`${count}: ${Math.round(result.requests.average)} req/s (p99 ${result.latency.p99} ms)`)
      }
      summary.push(`GET /profile through haproxy: ${figures.join('; ')}`)
    }, 120_000)

    it('restarts every instance in turn under load with zero failed requests', async () => {
      const load = loadThroughBalancer()
      await waitFor(async () => load.outcomes.length > 50, 20_000)
      const timeline: string[] = []
      for (const index of [0, 1, 2]) {
        const instance = cluster.instances[index]
        const signalled = load.elapsed()
        instance?.child.kill('SIGTERM')
        await cluster.waitForUp([0, 1, 2].filter((other) => other !== index))
        const down = load.elapsed() - signalled
        expect(await instance?.exited).toBe(0)
        const exited = load.elapsed() - signalled
        await cluster.startInstance(index)
        await cluster.waitForUp([0, 1, 2])
        const back = load.elapsed() - signalled
        timeline.push(`#${index} at ${signalled} ms: out +${down}, exited +${exited}, back +${back}`)
      }
      const outcomes = await load.stop()
      console.log(`[cluster] rolling restart: ${timeline.join('; ')}`)
      if (failures(outcomes).length > 0) {
        console.log(JSON.stringify(failures(outcomes)))
        const unusual = cluster.balancer
          .log()
          .split('\n')
          .filter((line) => !/ 20[01] /.test(line))
        console.log(unusual.slice(-40).join('\n'))
      }
      summary.push(
        `rolling restart: ${outcomes.length} requests, ${failures(outcomes).length} failed ${JSON.stringify(tally(outcomes))}`,
      )
      expect(failures(outcomes)).toEqual([])
      await expectNothingLost()
    }, 240_000)

    it('loses only the requests in flight on an instance killed with SIGKILL', async () => {
      const load = loadThroughBalancer()
      await waitFor(async () => load.outcomes.length > 50, 20_000)
      const killedAt = load.elapsed()
      cluster.instances[1]?.child.kill('SIGKILL')
      await cluster.waitForUp([0, 2])
      const markedDownAt = load.elapsed()
      const after = load.outcomes.length
      await waitFor(async () => load.outcomes.length > after + 100, 20_000)
      const outcomes = await load.stop()
      const failed = failures(outcomes)
      summary.push(
        `SIGKILL: ${outcomes.length} requests, ${failed.length} failed ${JSON.stringify(tally(failed))}; ` +
          `haproxy marked it down after ${markedDownAt - killedAt} ms`,
      )
      // At most one request per loop can be in flight on the killed instance, and only at the moment it died.
      expect(failed.length).toBeLessThanOrEqual(LOOPS)
      for (const outcome of failed) expect(outcome.at).toBeGreaterThanOrEqual(killedAt)
      for (const outcome of failed) expect(outcome.at).toBeLessThan(killedAt + 1000)
      await cluster.startInstance(1)
      await cluster.waitForUp([0, 1, 2])
      await expectNothingLost()
    }, 180_000)

    it('answers 503 database_unavailable with Retry-After while PostgreSQL restarts, and recovers by itself', async () => {
      const load = loadThroughBalancer()
      await waitFor(async () => load.outcomes.length > 50, 20_000)
      const stoppedAt = load.elapsed()
      await postgres.stop()
      // Directly, an instance gives the application's answer.
      let outage: Response | undefined
      await waitFor(async () => {
        outage = await fetch(`${direct(0)}/profile`, { headers: { authorization: `Bearer ${token}` } })
        return outage.status === 503
      }, 15_000)
      expect(await outage?.json()).toMatchObject({ code: 'database_unavailable' })
      expect(outage?.headers.get('retry-after')).toMatch(/^\d+$/)
      const ready = await fetch(`${direct(1)}/readyz`)
      expect(ready.status).toBe(503)
      await postgres.start()
      const startedAt = load.elapsed()
      // Same processes, no restart: their pools reconnect and haproxy puts them back.
      await cluster.waitForUp([0, 1, 2])
      await waitFor(
        async () =>
          (await fetch(`${direct(2)}/profile`, { headers: { authorization: `Bearer ${token}` } })).status ===
          200,
        15_000,
      )
      const after = load.outcomes.length
      await waitFor(async () => load.outcomes.length > after + 50, 20_000)
      const outcomes = await load.stop()
      const failed = failures(outcomes)
      const window =
        failed.length > 0
          ? `${Math.max(...failed.map((o) => o.at)) - Math.min(...failed.map((o) => o.at))} ms`
          : 'none'
      const lastFailure = Math.max(0, ...failed.map((outcome) => outcome.at))
      summary.push(
        `PostgreSQL restart: down ${startedAt - stoppedAt} ms; ${failed.length} of ${outcomes.length} requests failed ` +
          `${JSON.stringify(tally(failed))}; failure window ${window}; last failure ${lastFailure - startedAt} ms after the database was back`,
      )
      // Nothing but 503s: never a 500 or a lost connection.
      expect(failed.every((outcome: Outcome) => outcome.status === 503)).toBe(true)
      const tail = outcomes.filter((outcome) => outcome.at > lastFailure)
      expect(tail.length).toBeGreaterThan(0)
      await expectNothingLost()
    }, 180_000)

    it('refuses logins with 503 and Retry-After while Redis is down (failure mode closed), and the instances reconnect by themselves', async () => {
      const url = cluster.balancer.baseUrl
      const profile = (base: string) =>
        fetch(`${base}/profile`, { headers: { authorization: `Bearer ${token}` } })
      await redis.stop()
      const stoppedAt = performance.now()
      // Each instance answers as documented: logins refused with 503 and Retry-After, tokens still checked.
      for (const index of [0, 1, 2]) {
        const login = await postJson(direct(index), '/login', { username: 'steady', password: PASSWORD })
        expect(login.status).toBe(503)
        expect(login.headers.get('retry-after')).toBe('5')
        expect(((await login.json()) as { code: string }).code).toBe('server_busy')
        expect((await profile(direct(index))).status).toBe(200)
      }
      // /readyz reports Redis among its components, so haproxy takes every instance out while it is down.
      const ready = await fetch(`${direct(0)}/readyz`)
      expect(ready.status).toBe(503)
      expect(await ready.json()).toMatchObject({ components: { redis: { status: 'down' } } })
      await cluster.waitForUp([], 10_000)
      const allOut = performance.now() - stoppedAt
      const throughBalancer = (await profile(url)).status
      await redis.start()
      const back = performance.now()
      await cluster.waitForUp([0, 1, 2])
      const inRotation = performance.now() - back
      const recovered = await waitFor(
        async () => {
          for (const index of [0, 1, 2]) {
            const login = await postJson(direct(index), '/login', { username: 'steady', password: PASSWORD })
            if (login.status !== 200) return false
          }
          return true
        },
        30_000,
        200,
      )
      summary.push(
        `Redis down ${Math.round(back - stoppedAt)} ms: logins 503 server_busy (Retry-After 5) and tokens 200 on ` +
          `each instance; all out of haproxy after ${Math.round(allOut)} ms (then GET /profile through it: ` +
          `${throughBalancer}); back in rotation ${Math.round(inRotation)} ms and logging in ` +
          `${Math.round(recovered)} ms after Redis returned, without a restart`,
      )
      await logIn(url, 'steady', PASSWORD)
    }, 120_000)
  },
)
