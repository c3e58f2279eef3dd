import { afterEach, describe, expect, it } from 'vitest'
import { bearer } from '../helpers/api.ts'
import type { TestServer } from '../helpers/app.ts'
import { LENIENT_LIMITS_ENV } from '../helpers/config.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { closedAfterEach } from '../helpers/hooks.ts'
import { keepAliveClient, type KeepAliveClient, type KeepAliveResponse } from '../helpers/keep-alive.ts'
import { PASSWORD } from '../helpers/users.ts'

// Issue 16, the races suite: parallel requests over a few keep-alive connections, each race run several
// times, on every engine. Each race ends with a check of what is left, not only of the answers.

const ROUNDS = 3
// Each race starts a fresh server per round (a new schema and its migrations on PostgreSQL).
const RACE_TIMEOUT_MS = 90_000
const PARALLEL = 20
// One name in eight spellings: case, full width (NFKC), and lookalikes (UTS #39 skeleton): Cyrillic а,
// Cyrillic а+с+е, Latin ɾ.
const SPELLINGS = ['race', 'RACE', 'Race', 'ｒａｃｅ', 'ＲＡＣＥ', 'rаce', 'rасе', 'ɾace']

const fresh = closedAfterEach()
const clients: KeepAliveClient[] = []
afterEach(() => {
  for (const client of clients.splice(0)) client.close()
})

/** A fresh server for one round of a race, and a keep-alive client of it. */
interface Started {
  server: TestServer
  client: KeepAliveClient
}

async function startServer(dialect: (typeof DIALECTS)[number]): Promise<Started> {
  const server = await fresh.server({ dialect, env: LENIENT_LIMITS_ENV })
  const client = keepAliveClient(server.baseUrl)
  clients.push(client)
  return { server, client }
}

function expectNoServerErrors(responses: KeepAliveResponse[]): void {
  const failures = responses.filter((response) => response.status >= 500)
  expect(failures.map((response) => `${response.status} ${response.body}`)).toEqual([])
}

async function loginPair(client: KeepAliveClient, username: string, password = PASSWORD) {
  const response = await client.send('POST', '/login', { json: { username, password } })
  expect(response.status, response.body).toBe(200)
  return { access: String(response.json.access_token), refresh: String(response.json.refresh_token) }
}

async function register(client: KeepAliveClient, username: string) {
  const response = await client.send('POST', '/register', { json: { username, password: PASSWORD } })
  expect(response.status, response.body).toBe(201)
}

const refresh = (client: KeepAliveClient, refreshToken: string) =>
  client.send('POST', '/token', { form: { grant_type: 'refresh_token', refresh_token: refreshToken } })

/** The access and refresh token of a token response; empty strings for a refusal. */
function issuedTokens(response: KeepAliveResponse): string[] {
  const text = (value: unknown) => (typeof value === 'string' ? value : '')
  return [text(response.json.access_token), text(response.json.refresh_token)]
}

/** Nothing of a session answers any more: its access tokens and every refresh token it handed out. */
async function expectSessionDead(server: TestServer, client: KeepAliveClient, tokens: string[][]) {
  for (const [access, refreshToken] of tokens) {
    if (access) expect((await client.send('GET', '/profile', { headers: bearer(access) })).status).toBe(401)
    if (refreshToken) {
      const answer = await refresh(client, refreshToken)
      expect(answer.status, answer.body).toBe(400)
      expect(answer.json.error).toBe('invalid_grant')
    }
  }
  const live = await server.app.services.db
    .selectFrom('sessions')
    .select('id')
    .where('revoked_at', 'is', null)
    .execute()
  expect(live).toEqual([])
}

describe.each(DIALECTS)('races over keep-alive HTTP on %s', (dialect) => {
  /** A race: `body` runs ROUNDS times, each time on a fresh server with a keep-alive client of its own. */
  const race = (name: string, body: (started: Started) => Promise<void>) =>
    it(
      name,
      async () => {
        for (let round = 0; round < ROUNDS; round += 1) await body(await startServer(dialect))
      },
      RACE_TIMEOUT_MS,
    )

  race(
    `${PARALLEL} registrations of one name in ${SPELLINGS.length} spellings make one account, no 5xx`,
    async ({ server, client }) => {
      const responses = await Promise.all(
        Array.from({ length: PARALLEL }, (_, index) =>
          client.send('POST', '/register', {
            json: { username: SPELLINGS[index % SPELLINGS.length], password: PASSWORD },
          }),
        ),
      )
      expectNoServerErrors(responses)
      const statuses = responses.map((response) => response.status).sort()
      expect(statuses).toEqual([201, ...Array<number>(PARALLEL - 1).fill(409)])
      const users = await server.app.services.db.selectFrom('users').select('username').execute()
      expect(users).toHaveLength(1)
      // The one account is the spelling that won, and it logs in under its own name.
      const winner = responses.find((response) => response.status === 201)
      expect(users[0]?.username).toBe(winner?.json.username)
      await loginPair(client, String(winner?.json.username))
      expect(client.socketsUsed()).toBeLessThan(PARALLEL)
    },
  )

  race(
    'two parallel password changes from two sessions leave exactly one working password',
    async ({ client }) => {
      await register(client, 'changer')
      const sessions = [await loginPair(client, 'changer'), await loginPair(client, 'changer')]
      const newPasswords = ['first new passphrase 1', 'second new passphrase 2']
      const changes = await Promise.all(
        sessions.map((session, index) =>
          client.send('POST', '/profile/password', {
            headers: bearer(session.access),
            json: { current_password: PASSWORD, new_password: newPasswords[index] },
          }),
        ),
      )
      expectNoServerErrors(changes)
      const logins = await Promise.all(
        [PASSWORD, ...newPasswords].map((password) =>
          client.send('POST', '/login', { json: { username: 'changer', password } }),
        ),
      )
      const working = logins.flatMap((response, index) => (response.status === 200 ? [index] : []))
      expect(working).toHaveLength(1)
      expect(working[0]).not.toBe(0)
      // Exactly one change is acknowledged, and it is the one that holds: no client was told "changed"
      // about a password that does not work.
      const acknowledged = changes.flatMap((response, index) => (response.status === 200 ? [index + 1] : []))
      expect(acknowledged).toEqual(working)
    },
  )

  race('two users claiming one new name: one wins, the other gets 409', async ({ server, client }) => {
    await register(client, 'alice')
    await register(client, 'bob')
    const claimants = [await loginPair(client, 'alice'), await loginPair(client, 'bob')]
    // The second claimant asks for a lookalike (Cyrillic р), which must count as the same name.
    const names = ['prize', 'рrize']
    const claims = await Promise.all(
      claimants.map((claimant, index) =>
        client.send('PUT', '/profile', {
          headers: bearer(claimant.access),
          json: { username: names[index], password: PASSWORD },
        }),
      ),
    )
    expectNoServerErrors(claims)
    expect(claims.map((response) => response.status).sort()).toEqual([200, 409])
    const rows = await server.app.services.db
      .selectFrom('users')
      .select('username')
      .orderBy('username')
      .execute()
    const winner = claims.findIndex((response) => response.status === 200)
    expect(rows.map((row) => row.username).sort()).toEqual(
      [names[winner], winner === 0 ? 'bob' : 'alice'].sort(),
    )
  })

  race('logout racing refresh leaves nothing of the session alive', async ({ server, client }) => {
    await register(client, 'leaver')
    const pair = await loginPair(client, 'leaver')
    const [loggedOut, refreshed] = await Promise.all([
      client.send('POST', '/logout', { headers: bearer(pair.access) }),
      refresh(client, pair.refresh),
    ])
    expectNoServerErrors([loggedOut, refreshed])
    expect(loggedOut.status).toBe(204)
    expect([200, 400]).toContain(refreshed.status)
    await expectSessionDead(server, client, [[pair.access, pair.refresh], issuedTokens(refreshed)])
  })

  for (const revoked of ['refresh', 'access'] as const) {
    race(
      `revoking the ${revoked} token racing refresh leaves nothing of the session alive`,
      async ({ server, client }) => {
        await register(client, 'revoker')
        const pair = await loginPair(client, 'revoker')
        const [revocation, refreshed] = await Promise.all([
          client.send('POST', '/revoke', { form: { token: pair[revoked] } }),
          refresh(client, pair.refresh),
        ])
        expectNoServerErrors([revocation, refreshed])
        expect(revocation.status).toBe(200)
        expect([200, 400]).toContain(refreshed.status)
        await expectSessionDead(server, client, [[pair.access, pair.refresh], issuedTokens(refreshed)])
      },
    )
  }
})
