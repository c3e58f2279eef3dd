import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { describe, expect, it } from 'vitest'
import { DIALECTS } from '../helpers/databases.ts'
import { closedAfterEach } from '../helpers/hooks.ts'
import { auditEventsOf } from '../helpers/rows.ts'
import { defined } from './support.ts'

// The hosted pages' browser session over HTTP: `Gatehouse-Refresh: cookie` on /login, then
// POST /session/refresh and POST /session/logout, with their Origin and double-submit CSRF checks.
// test/ui/csrf.test.ts shows the same refusals from real cross-site pages in Chromium.

const ORIGIN = 'http://gatehouse.test' // testConfig's GATEHOUSE_ISSUER
const USER = { username: 'cookie-user', password: 'a long enough passphrase' }

type Cookies = Record<string, string>

function cookiesOf(response: LightMyRequestResponse): Cookies {
  return Object.fromEntries(response.cookies.map((cookie) => [cookie.name, cookie.value]))
}

function cookieHeader(cookies: Cookies): string {
  return Object.entries(cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ')
}

describe.each(DIALECTS)('the browser session cookie on %s', (dialect) => {
  const fresh = closedAfterEach()

  const setUp = async (env: Record<string, string> = {}) => {
    const { app } = await fresh.app({ dialect, env })
    const registered = await app.inject({ method: 'POST', url: '/register', payload: USER })
    expect(registered.statusCode).toBe(201)
    return app
  }

  const cookieLogin = (app: FastifyInstance, headers: Record<string, string> = { origin: ORIGIN }) =>
    app.inject({
      method: 'POST',
      url: '/login',
      payload: USER,
      headers: { 'gatehouse-refresh': 'cookie', ...headers },
    })

  const signedIn = async (app: FastifyInstance) => {
    const response = await cookieLogin(app)
    expect(response.statusCode).toBe(200)
    const cookies = cookiesOf(response)
    return {
      access: response.json<{ access_token: string }>().access_token,
      cookies,
      csrf: defined(cookies.gatehouse_csrf),
      refresh: defined(cookies.gatehouse_refresh),
    }
  }

  const sessionCall = (
    app: FastifyInstance,
    path: '/session/refresh' | '/session/logout',
    cookies: Cookies,
    headers: Record<string, string> = {},
  ) =>
    app.inject({
      method: 'POST',
      url: path,
      headers: { origin: ORIGIN, cookie: cookieHeader(cookies), ...headers },
    })

  const profileStatus = async (app: FastifyInstance, token: string) =>
    (await app.inject({ method: 'GET', url: '/profile', headers: { authorization: `Bearer ${token}` } }))
      .statusCode

  it('/login with Gatehouse-Refresh: cookie puts the refresh token in an HttpOnly, SameSite=Strict cookie scoped to /session', async () => {
    const app = await setUp()
    const response = await cookieLogin(app)
    expect(response.statusCode).toBe(200)
    const body = response.json<Record<string, unknown>>()
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'token_type'])
    expect(response.headers['cache-control']).toBe('no-store')
    expect(response.headers.pragma).toBe('no-cache')
    const [refresh, csrf] = ['gatehouse_refresh', 'gatehouse_csrf'].map((name) =>
      response.cookies.find((cookie) => cookie.name === name),
    )
    expect(refresh).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
      path: '/session',
      maxAge: 14 * 86_400,
    })
    expect(refresh?.value).toMatch(/^ghr_[A-Za-z0-9_-]{43}$/)
    expect(refresh?.secure).toBeUndefined()
    // The CSRF cookie is readable by the page (not HttpOnly) and carries no secret of its own.
    expect(csrf).toMatchObject({ sameSite: 'Strict', path: '/' })
    expect(csrf?.httpOnly).toBeUndefined()
    expect(csrf?.value).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(response.body).not.toContain(refresh?.value)
    expect(await profileStatus(app, body.access_token as string)).toBe(200)
  })

  it('without the header /login answers exactly as before: the refresh token in the body, no cookie', async () => {
    const app = await setUp()
    const response = await app.inject({ method: 'POST', url: '/login', payload: USER })
    // Since issue 16 an API login also gets a device token (body and cookie), and nothing else changed.
    expect(Object.keys(response.json<object>()).sort()).toEqual([
      'access_token',
      'device_token',
      'expires_in',
      'refresh_token',
      'token_type',
    ])
    expect(response.cookies.map((cookie) => cookie.name)).toEqual(['gatehouse_device'])
  })

  it('refuses cookie mode from any origin but the public URL, before the password is even checked', async () => {
    const app = await setUp()
    const refusedHeaders: Array<Record<string, string>> = [
      {},
      { origin: 'http://evil.test' },
      { origin: 'null' },
      { origin: 'http://gatehouse.test:8080' },
      { origin: ORIGIN, 'sec-fetch-site': 'same-site' },
      { origin: ORIGIN, 'sec-fetch-site': 'cross-site' },
    ]
    for (const headers of refusedHeaders) {
      const response = await cookieLogin(app, headers)
      expect(response.statusCode, JSON.stringify(headers)).toBe(403)
      expect(response.json()).toMatchObject({ code: 'csrf_failed' })
      expect(response.cookies).toEqual([])
    }
    const logins = await auditEventsOf(app, 'login.success', 'login.failure')
    expect(logins).toEqual([])
    expect((await cookieLogin(app, { origin: ORIGIN, 'sec-fetch-site': 'same-origin' })).statusCode).toBe(200)
  })

  it('the second-factor steps the pages use refuse cookie mode from a foreign origin, before reading the body', async () => {
    const app = await setUp()
    const steps: Array<[string, Record<string, unknown>]> = [
      ['/login/mfa', { mfa_token: 'anything', code: '123456' }],
      ['/login/mfa/enroll/totp/confirm', { mfa_token: 'anything', code: '123456' }],
      ['/webauthn/login', { response: {} }],
    ]
    for (const [url, payload] of steps) {
      for (const origin of ['http://evil.test', 'null']) {
        const response = await app.inject({
          method: 'POST',
          url,
          payload,
          headers: { 'gatehouse-refresh': 'cookie', origin },
        })
        expect(response.statusCode, `${url} from ${origin}`).toBe(403)
        expect(response.json()).toMatchObject({ code: 'csrf_failed' })
        expect(response.cookies).toEqual([])
      }
    }
  })

  it('on https the cookies are Secure and carry the __Secure- and __Host- prefixes', async () => {
    const app = await setUp({ GATEHOUSE_ISSUER: 'https://id.example.com' })
    const response = await cookieLogin(app, { origin: 'https://id.example.com' })
    expect(response.statusCode).toBe(200)
    const byName = Object.fromEntries(response.cookies.map((cookie) => [cookie.name, cookie]))
    expect(byName['__Secure-gatehouse_refresh']).toMatchObject({
      secure: true,
      httpOnly: true,
      path: '/session',
    })
    expect(byName['__Host-gatehouse_csrf']).toMatchObject({ secure: true, path: '/' })
    expect(byName['__Host-gatehouse_csrf']?.domain).toBeUndefined()
  })

  it('accepts the loopback aliases of a loopback public URL (npm start at localhost or 127.0.0.1)', async () => {
    const app = await setUp({ GATEHOUSE_ISSUER: 'http://localhost:8000' })
    for (const origin of ['http://localhost:8000', 'http://127.0.0.1:8000', 'http://[::1]:8000'])
      expect((await cookieLogin(app, { origin })).statusCode, origin).toBe(200)
    for (const origin of ['http://127.0.0.1:8001', 'https://localhost:8000', 'http://127.0.0.2:8000'])
      expect((await cookieLogin(app, { origin })).statusCode, origin).toBe(403)
  })

  it('/session/refresh rotates the cookie like /token: a new access token, and the old cookie is spent', async () => {
    const app = await setUp()
    const session = await signedIn(app)
    const response = await sessionCall(app, '/session/refresh', session.cookies, {
      'gatehouse-csrf': session.csrf,
    })
    expect(response.statusCode).toBe(200)
    const body = response.json<Record<string, unknown>>()
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'token_type'])
    expect(response.headers['cache-control']).toBe('no-store')
    const rotated = cookiesOf(response)
    expect(rotated.gatehouse_refresh).toMatch(/^ghr_/)
    expect(rotated.gatehouse_refresh).not.toBe(session.refresh)
    // The CSRF token belongs to the session, so it survives the rotation.
    expect(rotated.gatehouse_csrf).toBe(session.csrf)
    expect(await profileStatus(app, body.access_token as string)).toBe(200)
    const refreshes = await auditEventsOf(app, 'token.refresh')
    expect(refreshes).toHaveLength(1)

    // Replaying the spent cookie is refresh-token reuse: the whole session ends, as it would at /token.
    const replay = await sessionCall(app, '/session/refresh', session.cookies, {
      'gatehouse-csrf': session.csrf,
    })
    expect(replay.statusCode).toBe(401)
    expect(replay.json()).toMatchObject({ code: 'not_authenticated' })
    expect(replay.cookies.map((cookie) => [cookie.name, cookie.value])).toEqual([
      ['gatehouse_refresh', ''],
      ['gatehouse_csrf', ''],
    ])
    expect(await profileStatus(app, body.access_token as string)).toBe(401)
  })

  it('/session/refresh refuses a foreign origin, a missing or mismatched CSRF token, and a token of another session', async () => {
    const app = await setUp()
    const victim = await signedIn(app)
    await app.inject({ method: 'POST', url: '/register', payload: { ...USER, username: 'attacker' } })
    const attackerLogin = await cookieLogin(app)
    expect(attackerLogin.statusCode).toBe(200)
    const attackerCsrf = defined(cookiesOf(attackerLogin).gatehouse_csrf)

    const refused: Array<[string, Cookies, Record<string, string>]> = [
      ['foreign origin', victim.cookies, { 'gatehouse-csrf': victim.csrf, origin: 'http://evil.test' }],
      [
        'cross-site fetch metadata',
        victim.cookies,
        { 'gatehouse-csrf': victim.csrf, 'sec-fetch-site': 'cross-site' },
      ],
      ['no CSRF header (a form post)', victim.cookies, {}],
      ['header differs from the cookie', victim.cookies, { 'gatehouse-csrf': attackerCsrf }],
      // Cookie tossing: the attacker plants their own CSRF cookie and sends the matching header, but the
      // token does not fit the victim's session.
      [
        'a token of another session',
        { ...victim.cookies, gatehouse_csrf: attackerCsrf },
        { 'gatehouse-csrf': attackerCsrf },
      ],
    ]
    for (const [why, cookies, headers] of refused) {
      const response = await sessionCall(app, '/session/refresh', cookies, headers)
      expect(response.statusCode, why).toBe(403)
      expect(response.json(), why).toMatchObject({ code: 'csrf_failed' })
    }
    // None of them rotated the victim's token or tripped reuse detection: it still refreshes.
    const ok = await sessionCall(app, '/session/refresh', victim.cookies, { 'gatehouse-csrf': victim.csrf })
    expect(ok.statusCode).toBe(200)
  })

  it('/session/refresh without a cookie, or with an unknown one, is 401 and drops the cookies', async () => {
    const app = await setUp()
    const none = await sessionCall(app, '/session/refresh', {}, { 'gatehouse-csrf': 'x' })
    expect(none.statusCode).toBe(401)
    expect(none.headers['www-authenticate']).toBe('Bearer')
    const unknown = await sessionCall(
      app,
      '/session/refresh',
      { gatehouse_refresh: `ghr_${'A'.repeat(43)}`, gatehouse_csrf: 'x' },
      { 'gatehouse-csrf': 'x' },
    )
    expect(unknown.statusCode).toBe(401)
    expect(unknown.cookies.map((cookie) => cookie.name).sort()).toEqual([
      'gatehouse_csrf',
      'gatehouse_refresh',
    ])
  })

  it('/session/logout ends the session as /logout does and drops the cookies; without the CSRF token nothing happens', async () => {
    const app = await setUp()
    const session = await signedIn(app)
    const forged = await sessionCall(app, '/session/logout', session.cookies)
    expect(forged.statusCode).toBe(403)
    expect(await profileStatus(app, session.access)).toBe(200)

    const response = await sessionCall(app, '/session/logout', session.cookies, {
      'gatehouse-csrf': session.csrf,
    })
    expect(response.statusCode).toBe(204)
    expect(response.cookies.map((cookie) => [cookie.name, cookie.value, cookie.path])).toEqual([
      ['gatehouse_refresh', '', '/session'],
      ['gatehouse_csrf', '', '/'],
    ])
    expect(await profileStatus(app, session.access)).toBe(401)
    const logouts = await auditEventsOf(app, 'session.logout')
    expect(logouts).toHaveLength(1)
    // Again, or with no cookie at all: nothing left to end, still 204.
    expect(
      (await sessionCall(app, '/session/logout', session.cookies, { 'gatehouse-csrf': session.csrf }))
        .statusCode,
    ).toBe(204)
    expect((await sessionCall(app, '/session/logout', {})).statusCode).toBe(204)
  })
})
