import { describe, expect, it } from 'vitest'
import { PUBLIC_USER_FIELDS } from '../helpers/api.ts'
import { startTestServer } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { callJson } from '../helpers/http.ts'
import { ADMIN, PASSWORD } from '../helpers/users.ts'
import { CORE_ENV } from './app.ts'

// The seed tutorial's client, call for call, over a real socket: JSON bodies, the seed's paths
// (including its trailing slashes) and the fields it reads. If this breaks, seed clients break.

describe.each(DIALECTS)('the seed client flow over HTTP on %s', (dialect) => {
  const server = useTestApp(() => startTestServer({ dialect, env: CORE_ENV }))
  const call = (method: string, path: string, options: { token?: string; body?: unknown } = {}) =>
    callJson(server.baseUrl, method, path, options)

  it('register → login → profile → token_expiry → admin → rename → profile with the same token', async () => {
    const registered = await call('POST', '/register', {
      body: { username: 'seed-user', password: PASSWORD },
    })
    expect(registered.status).toBe(201)
    // The seed's four fields, plus issue 11's email fields (null and false for a seed client).
    expect(Object.keys(registered.body).sort()).toEqual(PUBLIC_USER_FIELDS)
    expect(registered.body).toMatchObject({ username: 'seed-user', role: 'user' })

    const login = await call('POST', '/login', { body: { username: 'seed-user', password: PASSWORD } })
    expect(login.status).toBe(200)
    expect(login.body).toMatchObject({ token_type: 'bearer', expires_in: 1800 })
    expect(login.headers.get('cache-control')).toBe('no-store')
    expect(login.headers.get('pragma')).toBe('no-cache')
    const token = login.body.access_token as string

    const profile = await call('GET', '/profile', { token })
    expect(profile.status).toBe(200)
    expect(profile.body).toMatchObject({ id: registered.body.id, username: 'seed-user', role: 'user' })

    const expiry = await call('GET', '/token_expiry', { token })
    expect(expiry.status).toBe(200)
    expect(expiry.body.expires_in).toBe(1800)
    expect(expiry.body.expire_time).toBe(new Date(server.clock.now() + 1800 * 1000).toISOString())

    const forbidden = await call('GET', '/admin/', { token })
    expect(forbidden.status).toBe(403)
    expect(forbidden.body).toMatchObject({ code: 'forbidden' })

    const adminLogin = await call('POST', '/login', { body: ADMIN })
    expect(adminLogin.status).toBe(200)
    const welcome = await call('GET', '/admin/', { token: adminLogin.body.access_token as string })
    expect(welcome.status).toBe(200)
    expect(welcome.body).toEqual({ msg: 'welcome admin' })

    const renamed = await call('PUT', '/profile/', {
      token,
      body: { username: 'seed-user-renamed', password: PASSWORD },
    })
    expect(renamed.status).toBe(200)
    expect(renamed.body).toEqual({ message: 'Profile updated successfully', username: 'seed-user-renamed' })

    // sub is the user id, so the token issued before the rename still names the same account.
    const afterRename = await call('GET', '/profile', { token })
    expect(afterRename.status).toBe(200)
    expect(afterRename.body).toMatchObject({ id: registered.body.id, username: 'seed-user-renamed' })
  })

  it('answers a real socket with JSON error bodies and never a 5xx for garbage', async () => {
    const response = await fetch(`${server.baseUrl}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username": "seed-user", "password": ',
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ code: 'invalid_json' })
  })
})
