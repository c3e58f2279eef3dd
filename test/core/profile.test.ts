import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  attemptLogin,
  callWithToken,
  getWithToken,
  loginToken,
  registerUser,
  type PublicUser,
} from '../helpers/api.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { snapshotStore } from '../helpers/rows.ts'
import { decodeToken } from '../helpers/tokens.ts'
import { PASSWORD } from '../helpers/users.ts'
import { createCoreApp } from './app.ts'

describe.each(DIALECTS)('/profile and /token_expiry on %s', (dialect) => {
  const testApp = useTestApp(() => createCoreApp({ dialect }))
  let user: PublicUser
  let token: string
  let counter = 0
  beforeAll(async () => {
    await registerUser(testApp.app, 'profile-taken')
  })
  beforeEach(async () => {
    counter += 1
    user = await registerUser(testApp.app, `profile-user-${counter}`)
    token = await loginToken(testApp.app, user.username)
  })

  const put = (url: string, payload: object) => callWithToken(testApp.app, token, 'PUT', url, payload)

  it.each(['/profile', '/profile/'])(
    'GET %s returns exactly the public fields of the caller',
    async (url) => {
      const response = await getWithToken(testApp.app, url, token)
      expect(response.statusCode).toBe(200)
      const iso = new Date(testApp.clock.now()).toISOString()
      expect(response.json()).toEqual({
        id: user.id,
        username: user.username,
        role: 'user',
        created_at: iso,
        updated_at: iso,
        email: null,
        email_verified: false,
      })
      expect(response.headers['cache-control']).toBe('no-store')
    },
  )

  it.each(['/profile', '/profile/'])(
    'PUT %s renames the caller with the current password as proof',
    async (url) => {
      testApp.clock.advanceSeconds(5)
      const response = await put(url, { username: `${user.username}-new`, password: PASSWORD })
      expect(response.statusCode).toBe(200)
      expect(response.json()).toEqual({
        message: 'Profile updated successfully',
        username: `${user.username}-new`,
      })

      // The token issued before the rename keeps working: its sub is the id, not the name.
      const profile = (await getWithToken(testApp.app, '/profile', token)).json<Record<string, string>>()
      expect(profile).toMatchObject({ id: user.id, username: `${user.username}-new` })
      expect(profile.updated_at).toBe(new Date(testApp.clock.now()).toISOString())
      expect(await loginToken(testApp.app, `${user.username}-new`)).toBeTruthy()
      const oldName = await attemptLogin(testApp.app, user.username, PASSWORD)
      expect(oldName.statusCode).toBe(401)
    },
  )

  it('frees the old name for someone else, whose tokens never reach the renamed account', async () => {
    const oldName = user.username
    expect((await put('/profile', { username: `${oldName}-moved`, password: PASSWORD })).statusCode).toBe(200)
    const newcomer = await registerUser(testApp.app, oldName)
    const newcomerToken = await loginToken(testApp.app, oldName)
    expect((await getWithToken(testApp.app, '/profile', newcomerToken)).json()).toMatchObject({
      id: newcomer.id,
    })
    expect((await getWithToken(testApp.app, '/profile', token)).json()).toMatchObject({ id: user.id })
  })

  it('lets the caller change only the case of their own name', async () => {
    const response = await put('/profile', { username: user.username.toUpperCase(), password: PASSWORD })
    expect(response.statusCode).toBe(200)
    expect((await getWithToken(testApp.app, '/profile', token)).json()).toMatchObject({
      username: user.username.toUpperCase(),
    })
  })

  it.each([
    ['the same spelling', 'profile-taken'],
    ['another case', 'PROFILE-TAKEN'],
    ['full-width letters', 'ｐｒｏｆｉｌｅ-ｔａｋｅｎ'],
  ])('answers 409 for a name taken in %s and changes nothing', async (_label, username) => {
    const before = await snapshotStore(testApp.app)
    const response = await put('/profile', { username, password: PASSWORD })
    expect(response.statusCode).toBe(409)
    expect(response.json()).toMatchObject({ code: 'username_taken' })
    expect(await snapshotStore(testApp.app)).toEqual(before)
  })

  it.each([
    ['a free name', () => `${user.username}-never`],
    // The password is checked first, so a caller cannot probe which names exist without it.
    ['a taken name', () => 'profile-taken'],
  ])('refuses a wrong current password with 403 for %s and changes nothing', async (_label, newName) => {
    const before = await snapshotStore(testApp.app)
    const response = await put('/profile', { username: newName(), password: 'not the password at all' })
    expect(response.statusCode).toBe(403)
    expect(response.json()).toMatchObject({ code: 'invalid_credentials' })
    expect(await snapshotStore(testApp.app)).toEqual(before)
    expect((await getWithToken(testApp.app, '/profile', token)).json()).toMatchObject({
      username: user.username,
    })
  })

  it('refuses an invalid new name with 422 and changes nothing', async () => {
    const before = await snapshotStore(testApp.app)
    const response = await put('/profile', { username: 'no spaces allowed', password: PASSWORD })
    expect(response.statusCode).toBe(422)
    expect(await snapshotStore(testApp.app)).toEqual(before)
  })

  it('requires a token for PUT /profile', async () => {
    const response = await callWithToken(testApp.app, undefined, 'PUT', '/profile', {
      username: 'x-y',
      password: PASSWORD,
    })
    expect(response.statusCode).toBe(401)
    expect(response.headers['www-authenticate']).toBe('Bearer')
  })

  it.each(['/token_expiry', '/token-expiry'])(
    'GET %s reports the presented token’s expiry in UTC',
    async (url) => {
      const { exp } = decodeToken(token).payload as { exp: number }
      const fresh = await getWithToken(testApp.app, url, token)
      expect(fresh.statusCode).toBe(200)
      expect(fresh.json()).toEqual({ expire_time: new Date(exp * 1000).toISOString(), expires_in: 1800 })
      expect(fresh.json<{ expire_time: string }>().expire_time).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
      )

      testApp.clock.advanceSeconds(600)
      expect((await getWithToken(testApp.app, url, token)).json()).toMatchObject({ expires_in: 1200 })
    },
  )

  it('reports the expiry of the token presented, not of the newest one', async () => {
    testApp.clock.advanceSeconds(100)
    const newer = await loginToken(testApp.app, user.username)
    expect((await getWithToken(testApp.app, '/token_expiry', token)).json()).toMatchObject({
      expires_in: 1700,
    })
    expect((await getWithToken(testApp.app, '/token_expiry', newer)).json()).toMatchObject({
      expires_in: 1800,
    })
  })

  it.each(['/profile', '/profile/', '/token_expiry', '/token-expiry'])(
    'GET %s without a token is 401 Bearer',
    async (url) => {
      const response = await testApp.app.inject({ method: 'GET', url })
      expect(response.statusCode).toBe(401)
      expect(response.headers['www-authenticate']).toBe('Bearer')
      expect(response.json()).toEqual({ detail: 'Not authenticated', code: 'not_authenticated' })
    },
  )
})
