import { existsSync } from 'node:fs'
import { request, type ClientRequest, type IncomingMessage } from 'node:http'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bearer } from '../helpers/api.ts'
import { LENIENT_LIMITS_ENV } from '../helpers/config.ts'
import { removeDirectory, temporaryDirectory } from '../helpers/files.ts'
import { postJson } from '../helpers/http.ts'
import { errorCode, failures, startLoad, tally, type LoadRequest } from '../helpers/load.ts'
import {
  killAll,
  randomPort,
  startServerProcess,
  waitUntilReady,
  type ServerProcess,
} from '../helpers/server-process.ts'
import { PASSWORD } from '../helpers/users.ts'
import { waitFor } from '../helpers/wait.ts'

// Issue 16 (graceful shutdown) and issue 17 (drain): on SIGTERM /readyz answers 503 at once while
// requests are still served for GATEHOUSE_SHUTDOWN_DRAIN; then new connections are refused, requests in
// flight finish, jobs stop and the database closes, all within GATEHOUSE_SHUTDOWN_TIMEOUT.

const TEST_TIMEOUT_MS = 90_000
const credentials = { username: 'stopper', password: PASSWORD }

/**
 * A login whose headers and first bytes of body are sent now; `finish()` sends the rest. `received`
 * resolves once the server has surely read what was sent: a request on another connection, sent after
 * those bytes, has been answered.
 */
function startSlowLogin(baseUrl: string): {
  finish(): void
  response: Promise<IncomingMessage>
  received: Promise<void>
} {
  const body = JSON.stringify(credentials)
  let outgoing: ClientRequest | undefined
  let written: () => void = () => {}
  const sent = new Promise<void>((resolve) => (written = resolve))
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    outgoing = request(`${baseUrl}/login`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    })
    outgoing.on('response', resolve)
    outgoing.on('error', reject)
    outgoing.flushHeaders()
    outgoing.write(body.slice(0, 10), () => written())
  })
  const received = sent.then(async () => {
    await (await fetch(`${baseUrl}/healthz`)).text()
  })
  return { response, received, finish: () => outgoing?.end(body.slice(10)) }
}

describe('graceful shutdown of a server process', () => {
  let folder = ''
  // Made per test, so a run that filters the tests out leaves nothing behind.
  beforeEach(() => {
    folder = temporaryDirectory('shutdown')
  })
  const servers: ServerProcess[] = []
  afterEach(() => {
    killAll(servers.splice(0))
    removeDirectory(folder)
  })

  const start = async (env: Record<string, string>) => {
    const databasePath = join(folder, `gatehouse-${servers.length}.db`)
    const server = startServerProcess(randomPort(), {
      GATEHOUSE_DATABASE_URL: `sqlite:${databasePath}`,
      ...LENIENT_LIMITS_ENV,
      ...env,
    })
    servers.push(server)
    await waitUntilReady(server)
    expect((await postJson(server.baseUrl, '/register', credentials)).status).toBe(201)
    return { server, databasePath }
  }

  it(
    'drains, then refuses new connections, finishes requests in flight and closes the database; no accepted request fails',
    async () => {
      const { server, databasePath } = await start({
        GATEHOUSE_SHUTDOWN_DRAIN: '5',
        GATEHOUSE_SHUTDOWN_TIMEOUT: '15',
      })
      const base = server.baseUrl
      const login = await postJson(base, '/login', credentials)
      const { access_token: token } = (await login.json()) as { access_token: string }
      const mix: LoadRequest[] = [
        { name: 'profile', send: () => fetch(`${base}/profile`, { headers: bearer(token) }) },
        { name: 'login', send: () => postJson(base, '/login', credentials) },
      ]
      const load = startLoad(mix, 4)
      await waitFor(async () => load.outcomes.length >= 20, 20_000)
      const slow = startSlowLogin(base)
      await slow.received

      const signalledAt = load.elapsed()
      server.child.kill('SIGTERM')
      const signalled = performance.now()
      // Readiness fails at once (as soon as the signal is handled), while everything else is served.
      let ready: Response | undefined
      await waitFor(async () => {
        ready = await fetch(`${base}/readyz`)
        return ready.status === 503
      }, 3000)
      expect(await ready?.json()).toMatchObject({ code: 'shutting_down' })
      expect(ready?.headers.get('connection')).toBe('close')
      expect((await fetch(`${base}/healthz`)).status).toBe(200)
      // Requests keep being served while draining. Then the load stops before the drain ends, as a
      // balancer that noticed would: a client still opening connections when the listener closes can be
      // reset by the kernel for a connection the server never accepted (the cluster test shows haproxy
      // sends none then).
      const servedWhileDraining = () =>
        load.outcomes.filter((outcome) => outcome.at > signalledAt && outcome.status === 200).length
      await waitFor(async () => servedWhileDraining() >= 20, 3000)
      const outcomes = await load.stop()

      // After the drain the listener closes: a new connection is refused.
      await waitFor(
        async () =>
          fetch(`${base}/healthz`).then(
            () => false,
            (error: unknown) => errorCode(error) === 'ECONNREFUSED',
          ),
        10_000,
      )
      const refusedAfterMs = performance.now() - signalled
      // The request that was in flight when the listener closed still gets its answer.
      slow.finish()
      const slowResponse = await slow.response
      expect(slowResponse.statusCode).toBe(200)
      slowResponse.resume()

      expect(await server.exited).toBe(0)
      const exitedAfterMs = performance.now() - signalled
      console.log(
        `[graceful.test] refused after ${Math.round(refusedAfterMs)} ms, exited after ${Math.round(exitedAfterMs)} ms;`,
        tally(outcomes),
      )
      expect(failures(outcomes)).toEqual([])
      expect(refusedAfterMs).toBeGreaterThanOrEqual(5000)
      expect(exitedAfterMs).toBeLessThan(15_000)
      expect(server.output()).toContain('background jobs stopped, database closed')
      // SQLite folds its write-ahead log back into the file when the last connection closes cleanly.
      expect(existsSync(`${databasePath}-wal`)).toBe(false)
    },
    TEST_TIMEOUT_MS,
  )

  it(
    'exits with status 1 at GATEHOUSE_SHUTDOWN_TIMEOUT when a request never finishes',
    async () => {
      const { server } = await start({ GATEHOUSE_SHUTDOWN_DRAIN: '1', GATEHOUSE_SHUTDOWN_TIMEOUT: '3' })
      const stuck = startSlowLogin(server.baseUrl)
      stuck.response.catch(() => {})
      await stuck.received
      const signalled = performance.now()
      server.child.kill('SIGTERM')
      expect(await server.exited).toBe(1)
      const elapsed = performance.now() - signalled
      expect(elapsed).toBeGreaterThanOrEqual(3000)
      expect(elapsed).toBeLessThan(6000)
      expect(server.output()).toContain('shutdown timed out')
    },
    TEST_TIMEOUT_MS,
  )
})
