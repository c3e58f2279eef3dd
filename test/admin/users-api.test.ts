import { describe, expect, it } from 'vitest'
import { countAuditEvents } from '../../src/db/audit.ts'
import { ensureBootstrapAdmin } from '../../src/services/users.ts'
import { createAdminApp } from '../helpers/admin.ts'
import {
  attemptLogin,
  callWithToken,
  login,
  profileStatus,
  refresh,
  registerUser,
  userWithToken,
} from '../helpers/api.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { defined } from '../helpers/defined.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { ADMIN, PASSWORD } from '../helpers/users.ts'

interface AdminUser {
  id: string
  username: string
  role: string
  disabled: boolean
  last_login_at: string | null
}

describe.each(DIALECTS)('admin user management on %s', (dialect) => {
  const testApp = useTestApp(() => createAdminApp(dialect, { GATEHOUSE_ROLES: 'auditor' }), 'test')

  it('answers 401 without a token and 403 to a normal user on every admin endpoint', async () => {
    const { app } = testApp
    const user = await userWithToken(app, 'plain')
    const endpoints: Array<['GET' | 'POST' | 'PATCH' | 'DELETE', string, unknown?]> = [
      ['GET', '/admin/users'],
      ['POST', '/admin/users', { username: 'x1', password: PASSWORD }],
      ['GET', `/admin/users/${user.id}`],
      ['PATCH', `/admin/users/${user.id}`, { role: 'admin' }],
      ['POST', `/admin/users/${user.id}/password`, { new_password: 'another-password-42' }],
      ['DELETE', `/admin/users/${user.id}`],
      ['GET', `/admin/users/${user.id}/sessions`],
      ['DELETE', `/admin/users/${user.id}/sessions`],
      ['GET', '/admin/audit'],
    ]
    for (const [method, url, body] of endpoints) {
      const anonymous = await callWithToken(app, undefined, method, url, body)
      expect(anonymous.statusCode, `${method} ${url}`).toBe(401)
      expect(anonymous.headers['www-authenticate']).toBe('Bearer')
      const forbidden = await callWithToken(app, user.token, method, url, body)
      expect(forbidden.statusCode, `${method} ${url}`).toBe(403)
      // Even an invalid body gets 403 first: the schema is not disclosed to non-admins.
      if (body !== undefined)
        expect((await callWithToken(app, user.token, method, url, { bogus: 1 })).statusCode).toBe(403)
    }
    // Nothing changed: the user is still a plain, enabled user.
    expect(await profileStatus(app, user.token)).toBe(200)
    expect(
      (await callWithToken(app, testApp.rootToken, 'GET', `/admin/users/${user.id}`)).json(),
    ).toMatchObject({
      role: 'user',
    })
  })

  it('creates users under the registration policy, with known roles only', async () => {
    const { app, rootToken } = testApp
    const created = await callWithToken(app, rootToken, 'POST', '/admin/users', {
      username: 'Carol',
      password: PASSWORD,
      role: 'auditor',
    })
    expect(created.statusCode).toBe(201)
    expect(created.json()).toMatchObject({ username: 'Carol', role: 'auditor', disabled: false })
    expect(created.json()).not.toHaveProperty('password_hash')
    expect((await login(app, 'carol')).access_token).toBeTruthy()

    const cases: Array<[unknown, number, string]> = [
      [{ username: 'CAROL', password: PASSWORD }, 409, 'username_taken'],
      [{ username: 'dave', password: 'password' }, 422, 'weak_password'],
      [{ username: 'dave', password: 'dave' }, 422, 'weak_password'],
      [{ username: 'dave', password: PASSWORD, role: 'superuser' }, 422, 'validation_failed'],
      [{ username: 'dave', password: PASSWORD, id: 'chosen-id' }, 422, 'validation_failed'],
      [{ username: 'dave', password: PASSWORD, password_hash: '$2b$12$x' }, 422, 'validation_failed'],
    ]
    for (const [body, status, code] of cases) {
      const response = await callWithToken(app, rootToken, 'POST', '/admin/users', body)
      expect(response.statusCode, JSON.stringify(body)).toBe(status)
      expect(response.json()).toMatchObject({ code })
    }
  })

  it('shows one user with live session count and last login, and 404s unknown ids', async () => {
    const { app, rootToken } = testApp
    const user = await userWithToken(app, 'ada')
    await login(app, 'ada')
    const response = await callWithToken(app, rootToken, 'GET', `/admin/users/${user.id}`)
    expect(response.statusCode).toBe(200)
    const body = response.json<AdminUser & { session_count: number }>()
    expect(body).toMatchObject({
      id: user.id,
      username: 'ada',
      role: 'user',
      disabled: false,
      session_count: 2,
    })
    expect(body.last_login_at).toBe(new Date(testApp.clock.now()).toISOString())
    for (const path of ['', '/sessions']) {
      for (const method of ['GET', 'DELETE'] as const) {
        const missing = await callWithToken(app, rootToken, method, `/admin/users/no-such-id${path}`)
        expect(missing.statusCode, `${method} ${path}`).toBe(404)
      }
    }
    const patchMissing = await callWithToken(app, rootToken, 'PATCH', '/admin/users/no-such-id', {
      role: 'user',
    })
    expect(patchMissing.statusCode).toBe(404)
    const passwordMissing = await callWithToken(app, rootToken, 'POST', '/admin/users/no-such-id/password', {
      new_password: 'fresh-password-42',
    })
    expect(passwordMissing.statusCode).toBe(404)
  })

  it('validates PATCH bodies: unknown fields, empty bodies and unknown roles are 422', async () => {
    const { app, rootToken } = testApp
    const user = await userWithToken(app, 'ada')
    for (const body of [{}, { role: 'admin', password_hash: 'x' }, { disabled: 'true' }, { role: 'root' }]) {
      const response = await callWithToken(app, rootToken, 'PATCH', `/admin/users/${user.id}`, body)
      expect(response.statusCode, JSON.stringify(body)).toBe(422)
    }
    const extra = await callWithToken(app, rootToken, 'PATCH', `/admin/users/${user.id}`, { role: 'auditor' })
    expect(extra.json()).toMatchObject({ role: 'auditor' })
  })

  it('disabling revokes every session: live access and refresh tokens die on their next use', async () => {
    const { app, rootToken } = testApp
    const user = await userWithToken(app, 'ada')
    const other = await login(app, 'ada')
    const response = await callWithToken(app, rootToken, 'PATCH', `/admin/users/${user.id}`, {
      disabled: true,
    })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ disabled: true })
    expect(await profileStatus(app, user.token)).toBe(401)
    expect(await profileStatus(app, other.access_token)).toBe(401)
    expect((await refresh(app, user.refreshToken)).statusCode).toBe(400)
    expect((await attemptLogin(app, 'ada', PASSWORD)).statusCode).toBe(401)
    // Re-enabling does not bring the old sessions back.
    await callWithToken(app, rootToken, 'PATCH', `/admin/users/${user.id}`, { disabled: false })
    expect(await profileStatus(app, user.token)).toBe(401)
    expect((await login(app, 'ada')).access_token).toBeTruthy()
  })

  it('deleting a user kills their live tokens on the next request', async () => {
    const { app, rootToken } = testApp
    const user = await userWithToken(app, 'ada')
    const deleted = await callWithToken(app, rootToken, 'DELETE', `/admin/users/${user.id}`)
    expect(deleted.statusCode).toBe(204)
    expect(await profileStatus(app, user.token)).toBe(401)
    expect((await refresh(app, user.refreshToken)).statusCode).toBe(400)
    expect((await callWithToken(app, rootToken, 'GET', `/admin/users/${user.id}`)).statusCode).toBe(404)
    expect((await callWithToken(app, rootToken, 'DELETE', `/admin/users/${user.id}`)).statusCode).toBe(404)
  })

  it('renames a user, refusing a name taken in another spelling', async () => {
    const { app, rootToken } = testApp
    const ada = await userWithToken(app, 'ada')
    await registerUser(app, 'bob')
    const taken = await callWithToken(app, rootToken, 'PATCH', `/admin/users/${ada.id}`, { username: 'BOB' })
    expect(taken.statusCode).toBe(409)
    expect(taken.json()).toMatchObject({ code: 'username_taken' })
    const renamed = await callWithToken(app, rootToken, 'PATCH', `/admin/users/${ada.id}`, {
      username: 'Ada.L',
    })
    expect(renamed.json()).toMatchObject({ username: 'Ada.L' })
    // The id (the token's sub) is unchanged, so the session survives the rename.
    expect(await profileStatus(app, ada.token)).toBe(200)
  })

  it('sets a password under the policy and revokes all sessions', async () => {
    const { app, rootToken } = testApp
    const user = await userWithToken(app, 'ada')
    const url = `/admin/users/${user.id}/password`
    expect((await callWithToken(app, rootToken, 'POST', url, { new_password: 'short' })).statusCode).toBe(422)
    expect(
      (await callWithToken(app, rootToken, 'POST', url, { new_password: 'x-password-42', extra: 1 }))
        .statusCode,
    ).toBe(422)
    const reset = await callWithToken(app, rootToken, 'POST', url, { new_password: 'reset-password-42' })
    expect(reset.statusCode).toBe(200)
    expect(reset.json()).toEqual({ revoked_sessions: 1 })
    expect(await profileStatus(app, user.token)).toBe(401)
    expect((await login(app, 'ada', 'reset-password-42')).access_token).toBeTruthy()
  })

  it('lists and revokes a user’s sessions', async () => {
    const { app, rootToken } = testApp
    const user = await userWithToken(app, 'ada')
    await login(app, 'ada')
    const url = `/admin/users/${user.id}/sessions`
    const listed = await callWithToken(app, rootToken, 'GET', url)
    expect(listed.statusCode).toBe(200)
    expect(listed.json()).toHaveLength(2)
    expect(Object.keys(defined(listed.json<object[]>()[0])).sort()).toEqual([
      'created_at',
      'expires_at',
      'id',
      'ip',
      'last_used_at',
      'user_agent',
    ])
    const revoked = await callWithToken(app, rootToken, 'DELETE', url)
    expect(revoked.json()).toEqual({ revoked: 2 })
    expect(await profileStatus(app, user.token)).toBe(401)
    expect((await callWithToken(app, rootToken, 'GET', url)).json()).toEqual([])
  })

  it('the bootstrap admin is created once and never overwritten by a later start', async () => {
    const { app } = testApp
    expect(await ensureBootstrapAdmin(app.services, 'ROOT', 'another-password-42')).toBe('exists')
    expect((await login(app, ADMIN.username, ADMIN.password)).access_token).toBeTruthy()
    const refused = await attemptLogin(app, ADMIN.username, 'another-password-42')
    expect(refused.statusCode).toBe(401)
    expect(await countAuditEvents(app.services.db, 'user.bootstrap')).toBe(1)
  })
})
