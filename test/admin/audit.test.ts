import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { countAuditEvents } from '../../src/db/audit.ts'
import { recordKeyRotation } from '../../src/services/audit.ts'
import { recordLoginFailure, recordThrottled } from '../../src/services/login/audit.ts'
import { createAdminApp } from '../helpers/admin.ts'
import {
  attemptRegister,
  callWithToken,
  login,
  logout,
  postForm,
  profileStatus,
  refresh,
  registerUser,
  userWithToken,
} from '../helpers/api.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { defined } from '../helpers/defined.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { PASSWORD } from '../helpers/users.ts'

interface AuditItem {
  action: string
  outcome: string
  actor_user_id: string | null
  target_user_id: string | null
  session_id: string | null
  request_id: string | null
  details: Record<string, unknown> | null
}
interface AuditPage {
  items: AuditItem[]
  next_cursor: string | null
}

describe.each(DIALECTS)('the audit log on %s', (dialect) => {
  const testApp = useTestApp(() => createAdminApp(dialect), 'test')
  const audit = async (query = '') => {
    const response = await callWithToken(testApp.app, testApp.rootToken, 'GET', `/admin/audit?${query}`)
    expect(response.statusCode, query).toBe(200)
    return response.json<AuditPage>()
  }
  const actions = async (query = '') =>
    (await audit(`limit=500&${query}`)).items.map((item) => item.action).reverse()

  it('records one row per event of a user’s life, with actor, target and session', async () => {
    const { app, rootToken, rootId } = testApp
    const ada = await userWithToken(app, 'ada')
    const refreshed = await refresh(app, ada.refreshToken)
    expect(refreshed.statusCode).toBe(200)
    expect((await refresh(app, ada.refreshToken)).statusCode).toBe(400)
    const second = await login(app, 'ada')
    await logout(app, second.access_token)
    const third = await login(app, 'ada')
    await postForm(app, '/revoke', new URLSearchParams({ token: third.refresh_token }).toString())
    const fourth = await login(app, 'ada')
    await callWithToken(app, fourth.access_token, 'PUT', '/profile', { username: 'ada2', password: PASSWORD })
    await callWithToken(app, fourth.access_token, 'POST', '/profile/password', {
      current_password: PASSWORD,
      new_password: 'new-password-42',
    })
    await callWithToken(app, fourth.access_token, 'DELETE', '/profile', { password: 'new-password-42' })
    expect(await actions(`target=${ada.id}`)).toEqual([
      'user.register',
      'login.success',
      'token.refresh',
      'token.refresh_reuse',
      'login.success',
      'session.logout',
      'login.success',
      'session.revoke',
      'login.success',
      'username.change',
      'password.change',
      'account.delete',
    ])
    const { items } = await audit(`target=${ada.id}&action=login.success&limit=1`)
    expect(items[0]).toMatchObject({ actor_user_id: ada.id, target_user_id: ada.id, outcome: 'success' })
    expect(defined(items[0]).session_id).toBeTruthy()
    const reuse = defined((await audit(`action=token.refresh_reuse`)).items[0])
    expect(reuse).toMatchObject({ outcome: 'failure', target_user_id: ada.id })

    // Every admin action, with the admin as actor and the request id of the admin's request.
    const bob = await userWithToken(app, 'bob')
    const created = await callWithToken(app, rootToken, 'POST', '/admin/users', {
      username: 'carl',
      password: PASSWORD,
    })
    await callWithToken(app, rootToken, 'PATCH', `/admin/users/${bob.id}`, { role: 'admin' })
    await callWithToken(app, rootToken, 'POST', `/admin/users/${bob.id}/password`, {
      new_password: 'reset-password-42',
    })
    await callWithToken(app, rootToken, 'DELETE', `/admin/users/${bob.id}/sessions`)
    await callWithToken(app, rootToken, 'DELETE', `/admin/users/${created.json<{ id: string }>().id}`)
    const adminItems = (await audit(`actor=${rootId}&limit=10`)).items.filter((item) =>
      item.action.startsWith('admin.'),
    )
    expect(adminItems.map((item) => item.action).reverse()).toEqual([
      'admin.user.create',
      'admin.user.update',
      'admin.user.password_reset',
      'admin.sessions.revoke',
      'admin.user.delete',
    ])
    const update = defined(adminItems.find((item) => item.action === 'admin.user.update'))
    expect(update.details).toEqual({ changes: { role: { from: 'user', to: 'admin' } }, revoked_sessions: 0 })
    expect(update.request_id).toBeTruthy()
    expect(update.target_user_id).toBe(bob.id)
  })

  it('writes the row in the change’s transaction: if the row cannot be written, the change rolls back', async () => {
    const { app, rootToken } = testApp
    const ada = await userWithToken(app, 'ada')
    const db = app.services.db
    await sql`alter table audit_events rename to audit_events_away`.execute(db)
    try {
      const disable = await callWithToken(app, rootToken, 'PATCH', `/admin/users/${ada.id}`, {
        disabled: true,
      })
      expect(disable.statusCode).toBe(500)
      const registerResponse = await attemptRegister(app, 'ghost')
      expect(registerResponse.statusCode).toBe(500)
    } finally {
      await sql`alter table audit_events_away rename to audit_events`.execute(db)
    }
    // Neither the disable nor its session revocation happened, and no half-registered user exists.
    expect(await profileStatus(app, ada.token)).toBe(200)
    expect((await callWithToken(app, rootToken, 'GET', `/admin/users/${ada.id}`)).json()).toMatchObject({
      disabled: false,
    })
    expect((await callWithToken(app, rootToken, 'GET', '/admin/users?q=ghost')).json()).toMatchObject({
      items: [],
    })
    // And a change refused inside its transaction (last admin) leaves no row behind.
    const before = await countAuditEvents(db)
    await callWithToken(app, rootToken, 'PATCH', `/admin/users/${testApp.rootId}`, { role: 'user' })
    expect(await countAuditEvents(db)).toBe(before)
  })

  it('records login failures, throttling and key rotation without secrets', async () => {
    const { app } = testApp
    const context = app.services
    const meta = { ip: '203.0.113.9', userAgent: 'curl/8', requestId: 'req-1' }
    await recordLoginFailure(context, meta, { username: 'nobody', reason: 'unknown_user', grant: 'login' })
    await recordThrottled(context, meta, { username: 'root', scope: 'account', retryAfterSeconds: 30 })
    await recordKeyRotation(context.db, context.clock.now(), {
      kid: 'k2',
      algorithm: 'EdDSA',
      retiredKid: 'k1',
      trigger: 'manual',
    })
    const { items } = await audit('limit=3')
    expect(items.map((item) => [item.action, item.outcome])).toEqual([
      ['key.rotate', 'success'],
      ['login.throttled', 'failure'],
      ['login.failure', 'failure'],
    ])
    expect(items[2]).toMatchObject({
      details: { username: 'nobody', reason: 'unknown_user', grant: 'login' },
    })
    expect(items[2]).toMatchObject({ request_id: 'req-1' })
    expect(defined(items[0]).details).toEqual({
      kid: 'k2',
      algorithm: 'EdDSA',
      retired_kid: 'k1',
      trigger: 'manual',
    })
    const everything = JSON.stringify((await audit('limit=500')).items)
    expect(everything).not.toContain(PASSWORD)
    expect(everything).not.toContain('root-password-42')
    expect(everything).not.toMatch(/\$argon2|\$2[aby]\$|ghr_/)
  })

  it('filters by action, actor, target and time, and pages newest first with a cursor', async () => {
    const { app, clock } = testApp
    const start = clock.now()
    for (const name of ['a1', 'a2', 'a3', 'a4', 'a5']) {
      clock.advance(1000)
      await registerUser(app, name)
    }
    const since = new Date(start + 2000).toISOString()
    const until = new Date(start + 5000).toISOString()
    const ranged = await audit(`action=user.register&since=${since}&until=${until}`)
    expect(ranged.items.map((item) => item.details?.username)).toEqual(['a4', 'a3', 'a2'])
    const seen: unknown[] = []
    let cursor: string | null = null
    do {
      const current: AuditPage = await audit(
        `action=user.register&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      )
      seen.push(...current.items.map((item) => item.details?.username))
      cursor = current.next_cursor
    } while (cursor !== null)
    expect(seen).toEqual(['a5', 'a4', 'a3', 'a2', 'a1'])
    for (const query of [
      'since=yesterday',
      'until=1700000000',
      'since=2026-01-01T00:00:00',
      'cursor=x',
      'limit=0',
      'who=me',
    ]) {
      const response = await callWithToken(app, testApp.rootToken, 'GET', `/admin/audit?${query}`)
      expect(response.statusCode, query).toBe(422)
    }
  })

  it('purges events past the retention period when asked, and the timer is closed with the app', async () => {
    const { app, clock } = testApp
    await registerUser(app, 'old')
    const before = await countAuditEvents(app.services.db)
    clock.advance(364 * 86_400_000)
    await registerUser(app, 'recent')
    expect(await app.purgeAuditEvents()).toBe(0)
    clock.advance(2 * 86_400_000)
    // The bootstrap, root's login and old's registration are now past 365 days.
    expect(await app.purgeAuditEvents()).toBe(before)
    const left = await app.services.db.selectFrom('audit_events').select(['action', 'details']).execute()
    expect(left).toEqual([
      { action: 'user.register', details: JSON.stringify({ username: 'recent', role: 'user' }) },
    ])
  })
})
