import { beforeEach, describe, expect, it } from 'vitest'
import { attemptLogin, callWithToken, getWithToken, login, registerUser } from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { PASSWORD } from '../helpers/users.ts'

// A stolen access token must not turn the re-check of the current password into an unlimited oracle.
describe.each(DIALECTS)('current-password checks share the login throttle on %s', (dialect) => {
  const testApp = useTestApp(
    () => createTestApp({ dialect, env: { GATEHOUSE_LOGIN_MAX_FAILURES: '2' } }),
    'test',
  )
  beforeEach(async () => {
    await registerUser(testApp.app, 'victim')
  })

  const guesses = {
    rename: (token: string, password: string) =>
      callWithToken(testApp.app, token, 'PUT', '/profile', { username: 'renamed', password }),
    'password change': (token: string, password: string) =>
      callWithToken(testApp.app, token, 'POST', '/profile/password', {
        current_password: password,
        new_password: 'a-new-password-99',
      }),
    deletion: (token: string, password: string) =>
      callWithToken(testApp.app, token, 'DELETE', '/profile', { password }),
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
      const loginAttempt = await attemptLogin(testApp.app, 'victim', PASSWORD)
      expect(loginAttempt.statusCode).toBe(429)
      // Nothing changed while guessing.
      const profile = await getWithToken(testApp.app, '/profile', token)
      expect(profile.json()).toMatchObject({ username: 'victim' })
      testApp.clock.advanceSeconds(2)
      expect((await guess(token, PASSWORD)).statusCode).toBeLessThan(300)
    },
  )
})
