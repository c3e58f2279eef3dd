import { beforeEach, describe, expect, it } from 'vitest'
import {
  attemptLogin,
  bearer,
  callWithToken,
  login,
  logout,
  profileStatus,
  refresh,
  registerUser,
} from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { defined } from '../helpers/defined.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { PASSWORD } from '../helpers/users.ts'

describe.each(DIALECTS)('session management and account changes on %s', (dialect) => {
  const testApp = useTestApp(() => createTestApp({ dialect }), 'test')
  beforeEach(async () => {
    await registerUser(testApp.app, 'ada')
    await registerUser(testApp.app, 'bob')
  })
  const call = (token: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
    callWithToken(testApp.app, token, method, url, payload)

  it('lists only the caller’s live sessions and marks the current one', async () => {
    const { app } = testApp
    const phone = await login(app, 'ada')
    const laptop = await login(app, 'ada')
    await login(app, 'bob')
    const response = await app.inject({
      method: 'GET',
      url: '/sessions',
      headers: { ...bearer(laptop.access_token), 'user-agent': 'x' },
    })
    expect(response.statusCode).toBe(200)
    const sessions = response.json<Array<Record<string, unknown>>>()
    expect(sessions).toHaveLength(2)
    expect(sessions.filter((session) => session.current)).toHaveLength(1)
    expect(Object.keys(defined(sessions[0])).sort()).toEqual([
      'created_at',
      'current',
      'id',
      'ip',
      'last_used_at',
      'user_agent',
    ])
    await logout(app, phone.access_token)
    const after = await call(laptop.access_token, 'GET', '/sessions')
    expect(after.json()).toHaveLength(1)
  })

  it('revokes one session by id, and 404s for an unknown or another user’s id', async () => {
    const { app } = testApp
    const phone = await login(app, 'ada')
    const laptop = await login(app, 'ada')
    const bob = await login(app, 'bob')
    const list = (await call(laptop.access_token, 'GET', '/sessions')).json<
      Array<{ id: string; current: boolean }>
    >()
    const phoneSession = defined(list.find((session) => !session.current))
    const byBob = await call(bob.access_token, 'DELETE', `/sessions/${phoneSession.id}`)
    expect(byBob.statusCode).toBe(404)
    expect(byBob.json()).toMatchObject({ code: 'not_found' })
    expect(await profileStatus(app, phone.access_token)).toBe(200)
    const unknown = await call(laptop.access_token, 'DELETE', '/sessions/nope')
    expect(unknown.statusCode).toBe(404)
    const own = await call(laptop.access_token, 'DELETE', `/sessions/${phoneSession.id}`)
    expect(own.statusCode).toBe(204)
    expect(await profileStatus(app, phone.access_token)).toBe(401)
    expect(await profileStatus(app, laptop.access_token)).toBe(200)
  })

  it('revokes the other sessions with scope=others and every session with scope=all', async () => {
    const { app } = testApp
    const one = await login(app, 'ada')
    const two = await login(app, 'ada')
    const three = await login(app, 'ada')
    const others = await call(three.access_token, 'DELETE', '/sessions?scope=others')
    expect(others.json()).toEqual({ revoked: 2 })
    expect(await profileStatus(app, one.access_token)).toBe(401)
    expect(await profileStatus(app, two.access_token)).toBe(401)
    expect(await profileStatus(app, three.access_token)).toBe(200)
    const bad = await call(three.access_token, 'DELETE', '/sessions?scope=everyone')
    expect(bad.statusCode).toBe(422)
    const all = await call(three.access_token, 'DELETE', '/sessions?scope=all')
    expect(all.json()).toEqual({ revoked: 1 })
    expect(await profileStatus(app, three.access_token)).toBe(401)
  })

  it('changing the password needs the current one and revokes every other session, keeping this one', async () => {
    const { app } = testApp
    const other = await login(app, 'ada')
    const current = await login(app, 'ada')
    const change = (current_password: string, new_password: string) =>
      call(current.access_token, 'POST', '/profile/password', { current_password, new_password })
    expect((await change('wrong-password-1', 'brand-new-password-7')).statusCode).toBe(403)
    expect((await change(PASSWORD, 'password')).statusCode).toBe(422)
    expect(await profileStatus(app, other.access_token)).toBe(200)
    const response = await change(PASSWORD, 'brand-new-password-7')
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ message: 'Password changed', revoked_sessions: 1 })
    expect(await profileStatus(app, other.access_token)).toBe(401)
    expect((await refresh(app, other.refresh_token)).statusCode).toBe(400)
    expect(await profileStatus(app, current.access_token)).toBe(200)
    expect((await refresh(app, current.refresh_token)).statusCode).toBe(200)
    const oldLogin = await attemptLogin(app, 'ada', PASSWORD)
    expect(oldLogin.statusCode).toBe(401)
    await login(app, 'ada', 'brand-new-password-7')
  })

  it('deleting the account needs the password; a later account of the same name sees nothing of the old one', async () => {
    const { app } = testApp
    const old = await login(app, 'ada')
    const refused = await call(old.access_token, 'DELETE', '/profile', { password: 'nope-nope-nope' })
    expect(refused.statusCode).toBe(403)
    expect(await profileStatus(app, old.access_token)).toBe(200)
    const deleted = await call(old.access_token, 'DELETE', '/profile', { password: PASSWORD })
    expect(deleted.statusCode).toBe(204)
    expect(await profileStatus(app, old.access_token)).toBe(401)
    const { id: newId } = await registerUser(app, 'ada', 'another-password-9')
    const fresh = await login(app, 'ada', 'another-password-9')
    expect(await profileStatus(app, old.access_token)).toBe(401)
    expect((await refresh(app, old.refresh_token)).statusCode).toBe(400)
    const profile = await call(fresh.access_token, 'GET', '/profile')
    expect(profile.json()).toMatchObject({ id: newId, username: 'ada' })
    const sessions = await call(fresh.access_token, 'GET', '/sessions')
    expect(sessions.json()).toHaveLength(1)
  })

  it('purges expired sessions and their refresh tokens', async () => {
    const { app, clock } = testApp
    await login(app, 'ada')
    clock.advanceSeconds(31 * 86_400)
    await login(app, 'bob')
    await app.purgeExpired()
    expect(await app.services.db.selectFrom('sessions').select('id').execute()).toHaveLength(1)
    expect(await app.services.db.selectFrom('refresh_tokens').select('id').execute()).toHaveLength(1)
  })

  it('writes last_used_at at most once a minute per session', async () => {
    const { app, clock } = testApp
    const tokens = await login(app, 'ada')
    const lastUsed = async () =>
      (await app.services.db.selectFrom('sessions').select('last_used_at').executeTakeFirstOrThrow())
        .last_used_at
    const loginTime = await lastUsed()
    clock.advanceSeconds(30)
    await profileStatus(app, tokens.access_token)
    expect(await lastUsed()).toBe(loginTime)
    clock.advanceSeconds(31)
    await profileStatus(app, tokens.access_token)
    expect(await lastUsed()).toBe(loginTime + 61_000)
  })
})
