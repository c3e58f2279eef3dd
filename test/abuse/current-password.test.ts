import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { login, PASSWORD, register } from '../lifecycle/flows.ts'

// A stolen access token must not turn the re-check of the current password into an unlimited oracle.
describe.each(DIALECTS)('current-password checks share the login throttle on %s', (dialect) => {
  let testApp: TestApp
  beforeEach(async () => {
    testApp = await createTestApp({ dialect, env: { GATEHOUSE_LOGIN_MAX_FAILURES: '2' } })
    await register(testApp.app, 'victim')
  })
  afterEach(async () => {
    await testApp.close()
  })

  const guesses = {
    rename: (token: string, password: string) =>
      testApp.app.inject({
        method: 'PUT',
        url: '/profile',
        headers: { authorization: `Bearer ${token}` },
        payload: { username: 'renamed', password },
      }),
    'password change': (token: string, password: string) =>
      testApp.app.inject({
        method: 'POST',
        url: '/profile/password',
        headers: { authorization: `Bearer ${token}` },
        payload: { current_password: password, new_password: 'a-new-password-99' },
      }),
    deletion: (token: string, password: string) =>
      testApp.app.inject({
        method: 'DELETE',
        url: '/profile',
        headers: { authorization: `Bearer ${token}` },
        payload: { password },
      }),
  }

  it.each(Object.keys(guesses) as Array<keyof typeof guesses>)(
    'throttles wrong passwords on %s, then refuses even the right one, and logins too',
    async (kind) => {
      const { access_token: token } = await login(testApp.app, 'victim')
      const guess = guesses[kind]
      expect((await guess(token, 'wrong-guess-1')).statusCode).toBe(403)
      expect((await guess(token, 'wrong-guess-2')).statusCode).toBe(403)
      const blocked = await guess(token, PASSWORD)
      expect(blocked.statusCode).toBe(429)
      expect(blocked.headers['retry-after']).toBeDefined()
      const loginAttempt = await testApp.app.inject({
        method: 'POST',
        url: '/login',
        payload: { username: 'victim', password: PASSWORD },
      })
      expect(loginAttempt.statusCode).toBe(429)
      // Nothing changed while guessing.
      const profile = await testApp.app.inject({
        method: 'GET',
        url: '/profile',
        headers: { authorization: `Bearer ${token}` },
      })
      expect(profile.json()).toMatchObject({ username: 'victim' })
      testApp.clock.advanceSeconds(2)
      expect((await guess(token, PASSWORD)).statusCode).toBeLessThan(300)
    },
  )
})
