import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { beforeAll, describe, expect, it } from 'vitest'
import { attemptLogin, bearer, loginToken, registerUser } from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'
import { defined } from '../helpers/defined.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { PASSWORD } from '../helpers/users.ts'

const API_CSP = "default-src 'none'; frame-ancestors 'none'"

function expectSecurityHeaders(response: LightMyRequestResponse, csp = API_CSP): void {
  expect(response.headers['x-content-type-options']).toBe('nosniff')
  expect(response.headers['referrer-policy']).toBe('no-referrer')
  expect(response.headers['x-frame-options']).toBe('DENY')
  expect(response.headers['content-security-policy']).toBe(csp)
  expect(response.headers['x-powered-by']).toBeUndefined()
}

describe('the HTTP surface', () => {
  const testApp = useTestApp(() =>
    createTestApp({
      env: {
        GATEHOUSE_CORS_ORIGINS: 'https://app.example',
        GATEHOUSE_BODY_LIMIT: '2048',
        GATEHOUSE_LOGIN_MAX_FAILURES: '1',
        GATEHOUSE_HASH_QUEUE_MAX: '0',
        GATEHOUSE_HASH_CONCURRENCY: '1',
      },
    }),
  )
  let token: string
  beforeAll(async () => {
    await registerUser(testApp.app, 'surface')
    token = await loginToken(testApp.app, 'surface')
  })
  const inject = (options: InjectOptions) => testApp.app.inject(options)

  it('puts the security headers on every kind of response', async () => {
    const { app } = testApp
    const responses = {
      ok: await inject({ url: '/profile', headers: bearer(token) }),
      jwks: await inject({ url: '/.well-known/jwks.json' }),
      unauthorized: await attemptLogin(app, 'surface', 'wrong password!'),
      throttled: await attemptLogin(app, 'surface', 'wrong password!'),
      notFound: await inject({ url: '/nowhere' }),
      methodNotAllowed: await inject({ method: 'DELETE', url: '/login' }),
      tooLarge: await inject({
        method: 'POST',
        url: '/login',
        payload: { username: 'x', password: 'y'.repeat(4000) },
      }),
      unsupported: await inject({
        method: 'POST',
        url: '/login',
        payload: 'x',
        headers: { 'content-type': 'text/xml' },
      }),
    }
    expect(Object.fromEntries(Object.entries(responses).map(([kind, r]) => [kind, r.statusCode]))).toEqual({
      ok: 200,
      jwks: 200,
      unauthorized: 401,
      throttled: 429,
      notFound: 404,
      methodNotAllowed: 405,
      tooLarge: 413,
      unsupported: 415,
    })
    for (const response of Object.values(responses)) expectSecurityHeaders(response)
    expect(responses.ok.headers['cache-control']).toBe('no-store')
  })

  it('gives 503 with Retry-After and the headers when the hashing queue is full', async () => {
    // One hash at a time and no queue: the second of two parallel logins cannot wait.
    const [a, b] = await Promise.all([
      attemptLogin(testApp.app, 'other-1', PASSWORD),
      attemptLogin(testApp.app, 'other-2', PASSWORD),
    ])
    const busy = [a, b].find((response) => response.statusCode === 503)
    expect(busy?.headers['retry-after']).toBe('1')
    expect(busy?.json()).toMatchObject({ code: 'server_busy' })
    expectSecurityHeaders(defined(busy))
  })

  it('serves /docs under a CSP that allows only what Swagger UI needs', async () => {
    const page = await inject({ url: '/docs/' })
    expect(page.statusCode).toBe(200)
    const csp = page.headers['content-security-policy'] as string
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('unsafe-inline')
    expect(csp).not.toContain('unsafe-eval')
    expectSecurityHeaders(page, csp)
  })

  it('answers 405 with Allow for a known path and an unsupported method, 404 for an unknown path', async () => {
    const getLogin = await inject({ method: 'GET', url: '/login' })
    expect(getLogin.statusCode).toBe(405)
    expect(getLogin.headers.allow).toBe('POST')
    expect(getLogin.json()).toEqual({ detail: 'Method Not Allowed', code: 'method_not_allowed' })
    const putJwks = await inject({ method: 'PUT', url: '/.well-known/jwks.json' })
    expect(putJwks.statusCode).toBe(405)
    expect(putJwks.headers.allow).toBe('GET, HEAD')
    expect((await inject({ method: 'PUT', url: '/no/such/path' })).statusCode).toBe(404)
  })

  it('refuses 413 over GATEHOUSE_BODY_LIMIT, 415 for a wrong type, and __proto__ keys', async () => {
    const tooLarge = await inject({
      method: 'POST',
      url: '/register',
      payload: { username: 'big', password: 'p'.repeat(3000) },
    })
    expect(tooLarge.statusCode).toBe(413)
    expect(tooLarge.json()).toEqual({ detail: 'Request body is too large', code: 'body_too_large' })
    const registerRaw = (payload: string, contentType: string) =>
      inject({ method: 'POST', url: '/register', payload, headers: { 'content-type': contentType } })
    const wrongType = await registerRaw('username=a&password=b', 'application/x-www-form-urlencoded')
    expect(wrongType.statusCode).toBe(415)
    const poisoned = await registerRaw(
      '{"username":"p","password":"correct horse battery","__proto__":{"role":"admin"}}',
      'application/json',
    )
    expect(poisoned.statusCode).toBe(400)
  })

  it('allows the configured origin, and never reflects another one, in requests and preflights', async () => {
    const allowed = await inject({
      url: '/.well-known/jwks.json',
      headers: { origin: 'https://app.example' },
    })
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example')
    expect(allowed.headers['access-control-allow-credentials']).toBeUndefined()
    const denied = await inject({
      url: '/.well-known/jwks.json',
      headers: { origin: 'https://evil.example' },
    })
    expect(denied.headers['access-control-allow-origin']).toBeUndefined()

    const preflight = (origin: string) =>
      inject({
        method: 'OPTIONS',
        url: '/login',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      })
    const allowedPreflight = await preflight('https://app.example')
    expect(allowedPreflight.statusCode).toBe(204)
    expect(allowedPreflight.headers['access-control-allow-origin']).toBe('https://app.example')
    expect(allowedPreflight.headers['access-control-allow-methods']).toContain('POST')
    const deniedPreflight = await preflight('https://evil.example')
    expect(deniedPreflight.headers['access-control-allow-origin']).toBeUndefined()
    expect(JSON.stringify(deniedPreflight.headers)).not.toContain('evil.example')
  })
})

describe('CORS with no configured origins (the default)', () => {
  it('sends no CORS headers at all, even to a preflight', async () => {
    const testApp = await createTestApp()
    try {
      const response = await testApp.app.inject({
        method: 'OPTIONS',
        url: '/login',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
      })
      expect(response.statusCode).toBe(405)
      expect(Object.keys(response.headers).filter((name) => name.startsWith('access-control-'))).toEqual([])
    } finally {
      await testApp.close()
    }
  })
})

describe('errors raised by the router itself', () => {
  it('answers a malformed URL and an over-long path parameter in our shape, with the protective headers', async () => {
    const testApp = await createTestApp()
    try {
      for (const [url, status] of [
        ['/sessions/%3Cscript%3E%', 400],
        [`/sessions/${'x'.repeat(300)}`, 414],
      ] as const) {
        const response = await testApp.app.inject({ method: 'DELETE', url })
        expect(response.statusCode, url).toBe(status)
        expect(response.json()).toMatchObject({ code: 'validation_failed' })
        expect(response.body).not.toContain('script')
        expect(response.headers['x-content-type-options']).toBe('nosniff')
        expect(response.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'")
        expect(response.headers['cache-control']).toBe('no-store')
      }
    } finally {
      await testApp.close()
    }
  })
})
