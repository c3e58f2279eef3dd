import Database from 'better-sqlite3'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { bearer } from '../helpers/api.ts'
import { CLI_TEST_TIMEOUT_MS } from '../helpers/cli.ts'
import { LENIENT_LIMITS_ENV } from '../helpers/config.ts'
import { defined } from '../helpers/defined.ts'
import { createTestDatabase, postgresUrlForSchema } from '../helpers/databases.ts'
import { removeDirectory, temporaryDirectory } from '../helpers/files.ts'
import { skipWithout } from '../helpers/services.ts'
import { PASSWORD } from '../helpers/users.ts'
import { waitFor } from '../helpers/wait.ts'
import { freePort } from '../helpers/ports.ts'
import { startChildServer, type ChildServer } from './child-server.ts'

// Issue 16, crash safety: `gatehouse serve` is killed with SIGKILL at a random moment while it registers,
// logs in and logs out, then restarted on the same database. Whatever it acknowledged must still hold.

const CYCLES = 2
// Three server starts (each compiling the sources through tsx) and the checks in between.
const CRASH_TEST_TIMEOUT_MS = 2 * CLI_TEST_TIMEOUT_MS
const WORKERS = 4

/** A session as the client knows it: `ending` once a logout is sent, `ended` once it is acknowledged. */
interface KnownSession {
  access: string
  refresh: string
  state: 'live' | 'ending' | 'ended'
}

/** What the server acknowledged before it died, and any 5xx it answered on the way. */
interface Acknowledged {
  registered: string[]
  sessions: KnownSession[]
  serverErrors: string[]
}

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function post(baseUrl: string, path: string, body: Record<string, string>, headers = {}) {
  const form = path === '/revoke'
  return fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json', ...headers },
    body: form ? new URLSearchParams(body).toString() : JSON.stringify(body),
  })
}

/** One client: register, log in, and end every other session (logout or RFC 7009), until the server dies. */
async function drive(baseUrl: string, prefix: string, seen: Acknowledged): Promise<void> {
  const check = (response: Response, what: string) => {
    if (response.status >= 500) seen.serverErrors.push(`${what}: ${response.status}`)
    return response
  }
  try {
    for (let step = 0; ; step += 1) {
      const username = `${prefix}n${step}`
      const registered = check(await post(baseUrl, '/register', { username, password: PASSWORD }), 'register')
      if (registered.status !== 201) continue
      seen.registered.push(username)
      const login = check(await post(baseUrl, '/login', { username, password: PASSWORD }), 'login')
      if (login.status !== 200) continue
      const tokens = (await login.json()) as { access_token: string; refresh_token: string }
      const session: KnownSession = {
        access: tokens.access_token,
        refresh: tokens.refresh_token,
        state: 'live',
      }
      seen.sessions.push(session)
      if (step % 2 === 1) continue
      session.state = 'ending'
      const ended =
        step % 4 === 0
          ? await post(baseUrl, '/logout', {}, bearer(session.access))
          : await post(baseUrl, '/revoke', { token: session.refresh })
      if (check(ended, 'end session').status < 300) session.state = 'ended'
    }
  } catch {
    // The connection failed: the server was killed. Whatever was in flight is unacknowledged.
  }
}

const endedCount = (seen: Acknowledged) => seen.sessions.filter((session) => session.state === 'ended').length

/** Checks on the restarted server that every acknowledged registration and revocation held. */
async function expectAcknowledgedHeld(baseUrl: string, seen: Acknowledged): Promise<void> {
  expect(seen.serverErrors).toEqual([])
  // Not vacuous: the run acknowledged revocations as well as registrations.
  expect(seen.sessions.some((session) => session.state === 'ended')).toBe(true)
  for (const username of seen.registered) {
    const login = await post(baseUrl, '/login', { username, password: PASSWORD })
    expect(login.status, `acknowledged registration of ${username} lost`).toBe(200)
  }
  for (const [index, session] of seen.sessions.entries()) {
    const profile = await fetch(`${baseUrl}/profile`, { headers: bearer(session.access) })
    if (session.state === 'live') expect(profile.status, 'an acknowledged login was lost').toBe(200)
    if (session.state !== 'ended') continue
    expect(profile.status, 'an acknowledged revocation did not hold').toBe(401)
    const reuse = await fetch(`${baseUrl}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        // Each check from its own address: dozens of dead refresh tokens from one address would meet the
        // per-address refresh-failure throttle (429) before the token itself is judged.
        'x-forwarded-for': `10.${(index >> 8) & 255}.${index & 255}.1`,
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: session.refresh }).toString(),
    })
    expect(reuse.status, 'the refresh token of an acknowledged revocation still works').toBe(400)
  }
}

/** Runs CYCLES of work → SIGKILL at a random moment → restart, checking everything acknowledged so far. */
async function crashAndRestart(env: Record<string, string>): Promise<void> {
  const port = await freePort()
  const seen: Acknowledged = { registered: [], sessions: [], serverErrors: [] }
  let server: ChildServer | undefined = await startChildServer(port, env)
  cleanups.push(async () => server?.stop('SIGKILL'))
  for (let cycle = 0; cycle < CYCLES; cycle += 1) {
    const running = server
    const workers = Array.from({ length: WORKERS }, (_, worker) =>
      drive(running.baseUrl, `crash${cycle}w${worker}`, seen),
    )
    // Some work first (registrations and at least one ended session, so there is something of each kind
    // to lose), then a random moment within the next 800 ms.
    const registeredBefore = seen.registered.length
    const endedBefore = endedCount(seen)
    await waitFor(
      async () => seen.registered.length >= registeredBefore + 4 && endedCount(seen) > endedBefore,
      60_000,
      5,
    )
    const killAfterMs = Math.floor(Math.random() * 800)
    await new Promise((resolve) => setTimeout(resolve, killAfterMs))
    await running.stop('SIGKILL')
    await Promise.all(workers)
    server = await startChildServer(port, env)
    const context = `cycle ${cycle}, killed ${killAfterMs} ms in, ${seen.registered.length} registrations`
    console.log(`[crash safety] ${context}, ${seen.sessions.length} sessions, ${endedCount(seen)} revoked`)
    await expectAcknowledgedHeld(server.baseUrl, seen)
  }
  await server.stop('SIGKILL')
  server = undefined
}

describe('crash safety: SIGKILL at a random moment, restart on the same database', () => {
  it(
    'SQLite: every acknowledged registration logs in, every acknowledged revocation holds, integrity ok',
    async () => {
      const folder = temporaryDirectory('crash')
      cleanups.push(async () => removeDirectory(folder))
      const path = join(folder, 'gatehouse.db')
      await crashAndRestart({
        GATEHOUSE_DATABASE_URL: `sqlite:${path}`,
        ...LENIENT_LIMITS_ENV,
        GATEHOUSE_TRUST_PROXY: '1',
      })
      const database = new Database(path)
      try {
        expect(database.pragma('integrity_check', { simple: true })).toBe('ok')
        expect(database.pragma('foreign_key_check')).toEqual([])
      } finally {
        database.close()
      }
    },
    CRASH_TEST_TIMEOUT_MS,
  )

  it.skipIf(skipWithout(['postgres'], 'crash safety on PostgreSQL'))(
    'PostgreSQL: every acknowledged registration logs in, every acknowledged revocation holds',
    async () => {
      const database = await createTestDatabase('postgres')
      cleanups.push(() => database.close())
      await crashAndRestart({
        GATEHOUSE_DATABASE_URL: postgresUrlForSchema(defined(database.schema)),
        ...LENIENT_LIMITS_ENV,
        GATEHOUSE_TRUST_PROXY: '1',
      })
    },
    CRASH_TEST_TIMEOUT_MS,
  )
})
