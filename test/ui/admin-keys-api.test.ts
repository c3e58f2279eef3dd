import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { retireKeyAsAdmin, rotateKeysAsAdmin } from '../../src/services/admin/keys.ts'
import { KEY_PREPUBLICATION_MS } from '../../src/services/keys/schedule.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { closedAfterEach } from '../helpers/hooks.ts'
import { defined, ROOT, ROOT_ENV } from './support.ts'

// The admin API for signing keys that /ui/admin/keys calls: GET /admin/keys, POST /admin/keys/rotate,
// POST /admin/keys/{kid}/retire. The same service functions as `gatehouse keys`, with each change audited
// under the admin who made it.

async function logIn(app: FastifyInstance, username: string, password: string) {
  const response = await app.inject({ method: 'POST', url: '/login', payload: { username, password } })
  expect(response.statusCode).toBe(200)
  const body = response.json<{ access_token: string }>()
  const me = await app.inject({ method: 'GET', url: '/profile', headers: bearer(body.access_token) })
  return { token: body.access_token, id: me.json<{ id: string }>().id }
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

interface KeyList {
  algorithm: string
  rotation_interval_seconds: number
  items: Array<{
    kid: string
    algorithm: string
    state: string
    retired_at: string | null
    published_until: string | null
  }>
}

describe.each(DIALECTS)('admin signing-key API on %s', (dialect) => {
  const fresh = closedAfterEach()

  const setUp = async (env: Record<string, string> = {}) => {
    const testApp = await fresh.app({ dialect, env: { ...ROOT_ENV, ...env } })
    const root = await logIn(testApp.app, ROOT.username, ROOT.password)
    const call = (method: 'GET' | 'POST', url: string, token = root.token) =>
      testApp.app.inject({ method, url, headers: bearer(token) })
    return { app: testApp.app, clock: testApp.clock, root, call }
  }

  const keyEvents = async (app: FastifyInstance) =>
    app.services.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'key.rotate')
      .where('actor_user_id', 'is not', null)
      .orderBy('at')
      .orderBy('id')
      .execute()

  it('lists keys newest first with their states, never any key material', async () => {
    const { call } = await setUp()
    const response = await call('GET', '/admin/keys')
    expect(response.statusCode).toBe(200)
    const body = response.json<KeyList>()
    expect(body.algorithm).toBe('ES256')
    expect(body.rotation_interval_seconds).toBe(30 * 86_400)
    expect(body.items).toHaveLength(1)
    expect(body.items[0]).toMatchObject({ algorithm: 'ES256', state: 'active', retired_at: null })
    expect(Object.keys(defined(body.items[0])).sort()).toEqual(
      ['algorithm', 'created_at', 'kid', 'published_until', 'retired_at', 'signs_from', 'state'].sort(),
    )
    expect(response.body).not.toMatch(/"d"|private|encrypted|"x"/)
  })

  it('rotates: a new key signs, the old one keeps verifying, and the audit log names the admin', async () => {
    const { app, call, root } = await setUp()
    const before = (await call('GET', '/admin/keys')).json<KeyList>().items[0]?.kid ?? ''
    const rotated = await call('POST', '/admin/keys/rotate')
    expect(rotated.statusCode).toBe(200)
    const { created_kid, retired_kids } = rotated.json<{ created_kid: string; retired_kids: string[] }>()
    expect(retired_kids).toEqual([before])

    const states = Object.fromEntries(
      (await call('GET', '/admin/keys')).json<KeyList>().items.map((key) => [key.kid, key.state]),
    )
    // Retired from signing, still published (it verifies) until its tokens have expired.
    expect(states).toEqual({ [created_kid]: 'active', [before]: 'retired' })
    // The token signed by the old key still works: rotation signs nobody out.
    expect((await call('GET', '/profile')).statusCode).toBe(200)
    const fresh = await logIn(app, ROOT.username, ROOT.password)
    const header = JSON.parse(Buffer.from(fresh.token.split('.')[0] ?? '', 'base64url').toString()) as {
      kid: string
    }
    expect(header.kid).toBe(created_kid)

    const [event] = await keyEvents(app)
    expect(event).toMatchObject({ actor_user_id: root.id, outcome: 'success', ip: '127.0.0.1' })
    expect(defined(event).session_id).not.toBeNull()
    expect(JSON.parse(defined(event).details ?? '{}')).toEqual({
      kid: created_kid,
      algorithm: 'ES256',
      retired_kid: before,
      trigger: 'manual',
    })
  })

  it('retires a key at once: tokens it signed are refused on the next request, a fresh key signs', async () => {
    const { app, call, root } = await setUp()
    const signing = (await call('GET', '/admin/keys')).json<KeyList>().items[0]?.kid ?? ''
    const retired = await call('POST', `/admin/keys/${signing}/retire`)
    expect(retired.statusCode).toBe(200)
    const body = retired.json<{ retired_kid: string; created_kid: string | null }>()
    expect(body.retired_kid).toBe(signing)
    expect(body.created_kid).toEqual(expect.any(String))

    // The admin's own token was signed by that key: it dies too, as the page's warning says.
    expect((await call('GET', '/admin/keys')).statusCode).toBe(401)
    const again = await logIn(app, ROOT.username, ROOT.password)
    const keys = (await call('GET', '/admin/keys', again.token)).json<KeyList>().items
    expect(keys.find((key) => key.kid === signing)?.state).toBe('expired')
    expect(keys.find((key) => key.kid === body.created_kid)?.state).toBe('active')
    const jwks = (await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<{
      keys: Array<{ kid: string }>
    }>()
    expect(jwks.keys.map((key) => key.kid)).not.toContain(signing)

    const [event] = await keyEvents(app)
    expect(event).toMatchObject({ actor_user_id: root.id })
    expect(JSON.parse(defined(event).details ?? '{}')).toMatchObject({
      retired_kid: signing,
      kid: body.created_kid,
    })
  })

  it('answers 404 for an unknown kid, 409 for a key already retired, 422 for a malformed kid', async () => {
    const { app, call, clock } = await setUp()
    expect((await call('POST', '/admin/keys/no-such-kid/retire')).json()).toEqual({
      detail: 'Signing key not found',
      code: 'not_found',
    })
    // A key replaced by a rotation leaves the JWKS once its tokens have expired; retiring it then is a 409.
    const old = (await call('GET', '/admin/keys')).json<KeyList>().items[0]?.kid ?? ''
    expect((await call('POST', '/admin/keys/rotate')).statusCode).toBe(200)
    clock.advance(KEY_PREPUBLICATION_MS + 3_600_000)
    await app.runKeyMaintenance()
    const admin = await logIn(app, ROOT.username, ROOT.password)
    const refused = await call('POST', `/admin/keys/${old}/retire`, admin.token)
    expect(refused.statusCode).toBe(409)
    expect(refused.json()).toMatchObject({ code: 'key_already_retired' })
    const malformed = await call('POST', '/admin/keys/..%2F..%2Fetc/retire', admin.token)
    expect(malformed.statusCode).toBe(422)
    expect(await keyEvents(app)).toHaveLength(1)
  })

  it('refuses rotation in HS256 mode with 409 key_rotation_unavailable', async () => {
    const { call } = await setUp({
      GATEHOUSE_JWT_ALG: 'HS256',
      GATEHOUSE_HS256_SECRET: 'an-hs256-secret-that-is-long-enough-0123',
    })
    const response = await call('POST', '/admin/keys/rotate')
    expect(response.statusCode).toBe(409)
    expect(response.json()).toMatchObject({ code: 'key_rotation_unavailable' })
    expect((await call('GET', '/admin/keys')).json<KeyList>()).toMatchObject({ algorithm: 'HS256' })
  })

  it('is for admins only: 401 without a token, 403 for a user, checked before anything else', async () => {
    const { app } = await setUp()
    await app.inject({
      method: 'POST',
      url: '/register',
      payload: { username: 'mallory', password: 'a long enough passphrase' },
    })
    const user = await logIn(app, 'mallory', 'a long enough passphrase')
    for (const [method, url] of [
      ['GET', '/admin/keys'],
      ['POST', '/admin/keys/rotate'],
      ['POST', '/admin/keys/whatever/retire'],
    ] as const) {
      expect((await app.inject({ method, url })).statusCode).toBe(401)
      const forbidden = await app.inject({ method, url, headers: bearer(user.token) })
      expect(forbidden.statusCode).toBe(403)
      expect(forbidden.json()).toMatchObject({ code: 'forbidden' })
    }
    expect(await keyEvents(app)).toHaveLength(0)
  })

  it('re-checks the admin inside the change: an actor who is no longer an admin changes nothing', async () => {
    const { app, root } = await setUp()
    // The route's hook read the role a moment earlier; a demotion that commits in between must still stop
    // the change. Calling the service as a demoted actor is that moment.
    await app.services.db.updateTable('users').set({ role: 'user' }).where('id', '=', root.id).execute()
    const actor = { userId: root.id, sessionId: 'session', meta: { ip: null, userAgent: null } }
    await expect(rotateKeysAsAdmin(app.services, app.keyRotation, actor)).rejects.toMatchObject({
      statusCode: 403,
      code: 'forbidden',
    })
    const kid = defined(app.services.keys.signingKid())
    await expect(retireKeyAsAdmin(app.services, app.keyRotation, actor, kid)).rejects.toMatchObject({
      statusCode: 403,
    })
    expect(app.services.keys.signingKid()).toBe(kid)
    expect(await keyEvents(app)).toHaveLength(0)
  })
})
