import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'

describe.each(DIALECTS)('seed flow smoke test on %s', (dialect) => {
  let testApp: TestApp
  beforeAll(async () => {
    testApp = await createTestApp({ dialect })
  })
  afterAll(async () => {
    await testApp.close()
  })

  it('registers, logs in and reads the profile', async () => {
    const { app } = testApp
    const registered = await app.inject({
      method: 'POST',
      url: '/register',
      payload: { username: 'alice', password: 'correct horse battery' },
    })
    expect(registered.statusCode).toBe(201)
    expect(registered.json()).not.toHaveProperty('password')
    const login = await app.inject({
      method: 'POST',
      url: '/login',
      payload: { username: 'alice', password: 'correct horse battery' },
    })
    expect(login.statusCode).toBe(200)
    const { access_token: token } = login.json<{ access_token: string }>()
    const profile = await app.inject({
      method: 'GET',
      url: '/profile',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(profile.statusCode).toBe(200)
    expect(profile.json()).toMatchObject({ username: 'alice', role: 'user' })
  })
})
