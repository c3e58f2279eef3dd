import { describe, expect, it } from 'vitest'
import { attemptLogin, getWithToken } from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { useTestApp } from '../helpers/hooks.ts'

describe.each(DIALECTS)('seed flow smoke test on %s', (dialect) => {
  const testApp = useTestApp(() => createTestApp({ dialect }))

  it('registers, logs in and reads the profile', async () => {
    const { app } = testApp
    const registered = await app.inject({
      method: 'POST',
      url: '/register',
      payload: { username: 'alice', password: 'correct horse battery' },
    })
    expect(registered.statusCode).toBe(201)
    expect(registered.json()).not.toHaveProperty('password')
    const login = await attemptLogin(app, 'alice', 'correct horse battery')
    expect(login.statusCode).toBe(200)
    const { access_token: token } = login.json<{ access_token: string }>()
    const profile = await getWithToken(app, '/profile', token)
    expect(profile.statusCode).toBe(200)
    expect(profile.json()).toMatchObject({ username: 'alice', role: 'user' })
  })
})
