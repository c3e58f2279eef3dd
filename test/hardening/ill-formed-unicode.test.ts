import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isWellFormedText } from '../../src/services/well-formed.ts'
import { registerUser } from '../helpers/api.ts'
import { createTestApp, type TestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'

const PASSWORD = 'well-formed-password-42'

describe('isWellFormedText', () => {
  it('finds lone surrogates, and only them', () => {
    for (const text of ['plain', 'emoji 😀 pair', '\u{10FFFF}', '', 'U+FFFD \uFFFD']) {
      expect(isWellFormedText(text)).toBe(true)
    }
    for (const text of ['\ud800', 'a\udfffb', 'end\ud83d', '\ude00start', '\udc00\ud800']) {
      expect(isWellFormedText(text)).toBe(false)
    }
  })
})

// Regression (issue 16, finding 6): a password holding a lone surrogate registered, and since UTF-8
// turns every lone surrogate into U+FFFD, different passwords hashed alike.
describe.each(DIALECTS)('ill-formed Unicode on %s', (dialect) => {
  let testApp: TestApp
  let accessToken: string
  beforeAll(async () => {
    testApp = await createTestApp({ dialect })
    await registerUser(testApp.app, 'wellformed', PASSWORD)
    const login = await testApp.app.inject({
      method: 'POST',
      url: '/login',
      payload: { username: 'wellformed', password: PASSWORD },
    })
    accessToken = login.json<{ access_token: string }>().access_token
  })
  afterAll(async () => {
    await testApp.close()
  })
  const post = (url: string, payload: object, headers: Record<string, string> = {}) =>
    testApp.app.inject({ method: 'POST', url, payload, headers })

  it('finding 6: refuses a password with a lone surrogate at registration (422), and creates nothing', async () => {
    for (const password of ['Lone-\ud800-Surrogate-pass', 'Lone-\udfff-Surrogate-pass']) {
      const response = await post('/register', { username: 'surrogate-user', password })
      expect(response.statusCode).toBe(422)
      expect(response.json()).toMatchObject({ code: 'weak_password' })
    }
    const users = await testApp.app.services.db.selectFrom('users').select('username').execute()
    expect(users.map((user) => user.username)).toEqual(['wellformed'])
  })

  it('finding 6: refuses a username with a lone surrogate (422 invalid_username)', async () => {
    const response = await post('/register', { username: 'name\ud800', password: PASSWORD })
    expect(response.statusCode).toBe(422)
    expect(response.json()).toMatchObject({ code: 'invalid_username' })
  })

  it('finding 6: refuses ill-formed credentials at login with 422, uncounted by the throttle', async () => {
    for (const payload of [
      { username: 'wellformed', password: `${PASSWORD}\ud800` },
      { username: 'wellformed\udc00', password: PASSWORD },
    ]) {
      const response = await post('/login', payload)
      expect(response.statusCode).toBe(422)
      expect(response.json()).toMatchObject({ code: 'validation_failed' })
      expect(response.headers['ratelimit-remaining']).toBeUndefined()
    }
    expect((await post('/login', { username: 'wellformed', password: PASSWORD })).statusCode).toBe(200)
  })

  it('finding 6: refuses an ill-formed new or current password when changing it', async () => {
    const headers = { authorization: `Bearer ${accessToken}` }
    const newOne = await post(
      '/profile/password',
      { current_password: PASSWORD, new_password: 'Lone-\ud800-Surrogate-pass' },
      headers,
    )
    expect(newOne.statusCode).toBe(422)
    const current = await post(
      '/profile/password',
      { current_password: `${PASSWORD}\ud800`, new_password: 'another-good-password-7' },
      headers,
    )
    expect(current.statusCode).toBe(422)
  })
})
