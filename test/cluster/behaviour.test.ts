import { readdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KEY_PICKUP_INTERVAL_MS } from '../../src/services/keys/schedule.ts'
import { TEST_DATABASE_URL } from '../helpers/databases.ts'
import { postFrom, postJson } from '../helpers/http.ts'
import { TEST_REDIS_URL, uniqueRedisPrefix } from '../helpers/services.ts'
import { kidOf } from '../helpers/tokens.ts'
import { ADMIN, ADMIN_ENV, PASSWORD } from '../helpers/users.ts'
import { waitFor } from '../helpers/wait.ts'
import {
  basePort,
  clusterEnv,
  logIn,
  refreshAt,
  sendWithToken,
  startCluster,
  statusWithToken,
  type GatehouseCluster,
} from './gatehouse-cluster.ts'
import { removeDirectory, temporaryDirectory } from '../helpers/files.ts'
import { adminQuery, cleanup, createClusterDatabase, onCleanup } from './infrastructure.ts'
import { skipClusterSuite } from './requirements.ts'

// Issue 17: three `gatehouse serve` processes on one fresh PostgreSQL database and one Redis, behind
// haproxy. What one instance does must hold on the next request to any other, through the balancer and
// directly.

describe.skipIf(skipClusterSuite('cluster behaviour', ['postgres', 'redis']))(
  'three instances behind haproxy',
  () => {
    let cluster: GatehouseCluster
    let databaseUrl: string
    let adminToken: string
    let startedAt: number
    let outbox: string
    const direct = (index: number) => `http://127.0.0.1:${cluster.ports[index]}`
    const everywhere = () => [cluster.balancer.baseUrl, direct(0), direct(1), direct(2)]

    beforeAll(async () => {
      databaseUrl = await createClusterDatabase(TEST_DATABASE_URL ?? '')
      // One outbox folder for all three, so a message sent twice would show as two files.
      outbox = temporaryDirectory('cluster-outbox')
      onCleanup(() => removeDirectory(outbox))
      const env = clusterEnv(databaseUrl, TEST_REDIS_URL ?? '', uniqueRedisPrefix(), {
        ...ADMIN_ENV,
        GATEHOUSE_REFRESH_REUSE_GRACE: '10',
        // Due at every pass, so each instance's first pass would make a key if the lease let it.
        GATEHOUSE_KEY_ROTATION_INTERVAL: '1',
        GATEHOUSE_OUTBOX_DIR: outbox,
      })
      cluster = await startCluster(basePort(), 3, env)
      startedAt = performance.now()
      adminToken = (await logIn(cluster.balancer.baseUrl, ADMIN.username, ADMIN.password)).access_token
    }, 180_000)

    afterAll(cleanup, 60_000)

    /** Creates a user as the admin; returns its id. */
    const createUser = async (username: string, role = 'user') => {
      const created = await sendWithToken(direct(0), 'POST', '/admin/users', adminToken, {
        username,
        password: PASSWORD,
        role,
      })
      expect(created.status).toBe(201)
      return created.body.id as string
    }

    it('accepts a token issued by one instance on every other, directly and through the balancer', async () => {
      await createUser('roamer')
      for (const issuer of [0, 1, 2]) {
        const { access_token: token } = await logIn(direct(issuer), 'roamer', PASSWORD)
        for (const base of everywhere()) expect(await statusWithToken(base, '/profile', token)).toBe(200)
      }
    })

    it('a logout on one instance bites on the next request to any other', async () => {
      await createUser('leaver')
      const { access_token: token } = await logIn(direct(0), 'leaver', PASSWORD)
      expect((await sendWithToken(direct(1), 'POST', '/logout', token)).status).toBe(204)
      for (const base of everywhere()) expect(await statusWithToken(base, '/profile', token)).toBe(401)
    })

    it('a password change on one instance signs the other sessions out everywhere', async () => {
      await createUser('changer')
      const kept = await logIn(direct(0), 'changer', PASSWORD)
      const other = await logIn(direct(1), 'changer', PASSWORD)
      const changed = await sendWithToken(direct(2), 'POST', '/profile/password', kept.access_token, {
        current_password: PASSWORD,
        new_password: `${PASSWORD} changed`,
      })
      expect(changed.status).toBe(200)
      for (const base of everywhere()) {
        expect(await statusWithToken(base, '/profile', other.access_token)).toBe(401)
        expect(await statusWithToken(base, '/profile', kept.access_token)).toBe(200)
      }
      expect((await refreshAt(direct(0), other.refresh_token)).status).toBe(400)
    })

    it('disabling a user on one instance refuses their token and login on every other', async () => {
      const id = await createUser('disabled-one')
      const { access_token: token } = await logIn(direct(1), 'disabled-one', PASSWORD)
      expect(
        (await sendWithToken(direct(0), 'PATCH', `/admin/users/${id}`, adminToken, { disabled: true }))
          .status,
      ).toBe(200)
      for (const base of everywhere()) expect(await statusWithToken(base, '/profile', token)).toBe(401)
      expect(
        (await postJson(direct(2), '/login', { username: 'disabled-one', password: PASSWORD })).status,
      ).toBe(401)
    })

    it('a role change on one instance holds on the next request to any other', async () => {
      const id = await createUser('promoted')
      const { access_token: token } = await logIn(direct(0), 'promoted', PASSWORD)
      expect(await statusWithToken(direct(1), '/admin/users', token)).toBe(403)
      expect(
        (await sendWithToken(direct(2), 'PATCH', `/admin/users/${id}`, adminToken, { role: 'admin' })).status,
      ).toBe(200)
      for (const base of everywhere()) expect(await statusWithToken(base, '/admin/users', token)).toBe(200)
      expect(
        (await sendWithToken(direct(0), 'PATCH', `/admin/users/${id}`, adminToken, { role: 'user' })).status,
      ).toBe(200)
      for (const base of everywhere()) expect(await statusWithToken(base, '/admin/users', token)).toBe(403)
    })

    it('counts login failures across instances: 5 spread over three throttle the account on all', async () => {
      await createUser('victim')
      for (const index of [0, 1, 2, 0, 1]) {
        const response = await postJson(direct(index), '/login', {
          username: 'victim',
          password: 'wrong password 1',
        })
        expect(response.status).toBe(401)
      }
      for (const base of everywhere()) {
        const response = await postJson(base, '/login', { username: 'victim', password: PASSWORD })
        expect(response.status).toBe(429)
        expect(response.headers.get('retry-after')).toMatch(/^\d+$/)
      }
    })

    it('counts registrations per address across instances, direct and through the balancer', async () => {
      // 20 an hour per address by default: 10 direct and 10 through haproxy (which forwards the address).
      const from = '127.0.0.7'
      const targets = [direct(0), direct(1), direct(2), cluster.balancer.baseUrl]
      for (let index = 0; index < 20; index += 1) {
        const response = await postFrom(targets[index % 4] ?? '', from, '/register', {
          username: `joiner${index}`,
          password: PASSWORD,
        })
        expect(response.status, response.body).toBe(201)
      }
      for (const base of targets) {
        const response = await postFrom(base, from, '/register', {
          username: 'one-too-many',
          password: PASSWORD,
        })
        expect(response.status).toBe(429)
      }
    })

    it('20 parallel refreshes of one token spread over the instances leave one identical successor', async () => {
      await createUser('rotor')
      const first = await logIn(direct(0), 'rotor', PASSWORD)
      const targets = everywhere()
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          refreshAt(targets[index % targets.length] ?? '', first.refresh_token),
        ),
      )
      expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200))
      const pairs = (await Promise.all(responses.map((response) => response.json()))) as Array<{
        refresh_token: string
      }>
      expect(new Set(pairs.map((pair) => pair.refresh_token)).size).toBe(1)
      // The one successor is the live branch: it refreshes once, and only once.
      const successor = pairs[0]?.refresh_token ?? ''
      expect((await refreshAt(direct(2), successor)).status).toBe(200)
      const rows = await adminQuery(
        databaseUrl,
        `select count(*)::int as live from refresh_tokens r join sessions s on s.id = r.session_id
       join users u on u.id = s.user_id
       where u.username = 'rotor' and r.rotated_at is null and s.revoked_at is null`,
      )
      expect(rows.rows[0]).toEqual({ live: 1 })
    })

    it('sends each queued email once, whichever instance queued it and however many senders run', async () => {
      const targets = everywhere()
      for (let index = 0; index < 9; index += 1) {
        const response = await postFrom(targets[index % targets.length] ?? '', '127.0.0.8', '/register', {
          username: `mailed${index}`,
          password: PASSWORD,
          email: `mailed${index}@example.com`,
        })
        expect(response.status, response.body).toBe(201)
      }
      const unsent = async () => {
        const query = 'select count(*)::int as n from email_outbox where sent_at is null'
        const [row] = (await adminQuery(databaseUrl, query)).rows as Array<{ n: number }>
        return row?.n
      }
      await waitFor(async () => (await unsent()) === 0, 30_000, 250)
      const sent = await adminQuery(
        databaseUrl,
        `select details::json->>'message_id' as id, count(*)::int as times from audit_events
       where action = 'email.sent' group by 1`,
      )
      expect(sent.rows).toHaveLength(9)
      expect(sent.rows.every((row: { times: number }) => row.times === 1)).toBe(true)
      expect(
        readdirSync(outbox, { recursive: true }).filter((name) => String(name).endsWith('.eml')),
      ).toHaveLength(9)
    })

    it('runs key maintenance on one instance at a time (the rotation lease)', async () => {
      // Every instance runs its first maintenance pass one pick-up interval after it started; the rotation
      // is due, so without the lease each of the three would pre-publish a key of its own.
      const sinceStart = performance.now() - startedAt
      const remaining = KEY_PICKUP_INTERVAL_MS + 5000 - sinceStart
      await waitFor(
        async () => performance.now() - startedAt > KEY_PICKUP_INTERVAL_MS + 5000,
        Math.max(remaining, 0) + 5000,
        250,
      )
      const keys = await adminQuery(
        databaseUrl,
        'select kid, not_before from signing_keys order by not_before',
      )
      expect(keys.rows).toHaveLength(2)
      const leases = await adminQuery(
        databaseUrl,
        "select holder from leases where name = 'signing-key-rotation'",
      )
      expect(leases.rows).toHaveLength(1)
    }, 90_000)

    it('publishes a rotated key to every instance within the pick-up bound, and retiring a key bites everywhere at once', async () => {
      const before = await logIn(direct(1), 'roamer', PASSWORD)
      const oldKid = kidOf(before.access_token)
      const rotated = await sendWithToken(direct(0), 'POST', '/admin/keys/rotate', adminToken)
      expect(rotated.status).toBe(200)
      const newKid = rotated.body.created_kid as string
      expect(newKid).not.toBe(oldKid)
      // A token signed with the new key is accepted at once everywhere (an unknown kid triggers a reload).
      const fresh = await logIn(direct(0), 'roamer', PASSWORD)
      expect(kidOf(fresh.access_token)).toBe(newKid)
      for (const base of everywhere())
        expect(await statusWithToken(base, '/profile', fresh.access_token)).toBe(200)
      // Every instance signs with it and publishes it within the pick-up interval.
      const pickedUp = await waitFor(
        async () => {
          for (const index of [0, 1, 2]) {
            const jwks = (await (await fetch(`${direct(index)}/.well-known/jwks.json`)).json()) as {
              keys: Array<{ kid: string }>
            }
            if (!jwks.keys.some((key) => key.kid === newKid)) return false
            if (kidOf((await logIn(direct(index), 'roamer', PASSWORD)).access_token) !== newKid) return false
          }
          return true
        },
        KEY_PICKUP_INTERVAL_MS + 5000,
        500,
      )
      console.log(`[cluster] every instance signed with the rotated key after ${Math.round(pickedUp)} ms`)
      expect(await statusWithToken(direct(2), '/profile', before.access_token)).toBe(200)
      const retired = await sendWithToken(direct(1), 'POST', `/admin/keys/${oldKid}/retire`, adminToken)
      expect(retired.status).toBe(200)
      for (const base of everywhere())
        expect(await statusWithToken(base, '/profile', before.access_token)).toBe(401)
      for (const base of everywhere())
        expect(await statusWithToken(base, '/profile', fresh.access_token)).toBe(200)
    }, 90_000)
  },
)
