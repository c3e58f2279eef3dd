import type { InjectOptions } from 'fastify'
import { beforeAll, describe, expect, it } from 'vitest'
import { bearer, loginToken } from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { ADMIN, ADMIN_ENV } from '../helpers/users.ts'

// Regression: PostgreSQL refuses U+0000 in text (SQLSTATE 22021), so these answered 500 there and 4xx on SQLite.
describe.each(DIALECTS)('NUL characters in input on %s', (dialect) => {
  const testApp = useTestApp(() => createTestApp({ dialect, env: ADMIN_ENV }))
  let adminToken: string
  beforeAll(async () => {
    adminToken = await loginToken(testApp.app, ADMIN.username, ADMIN.password)
  })

  const form = { 'content-type': 'application/x-www-form-urlencoded' }
  const cases: Array<[string, () => InjectOptions]> = [
    [
      'a JSON login',
      () => ({ method: 'POST', url: '/login', payload: { username: 'ro\u0000ot', password: 'x' } }),
    ],
    [
      'a registration',
      () => ({
        method: 'POST',
        url: '/register',
        payload: { username: 'a\u0000b', password: 'long-enough-password' },
      }),
    ],
    [
      'a password grant',
      () => ({
        method: 'POST',
        url: '/token',
        payload: 'grant_type=password&username=a%00b&password=x',
        headers: form,
      }),
    ],
    ['a revocation', () => ({ method: 'POST', url: '/revoke', payload: 'token=a%00b', headers: form })],
    ['an admin search', () => ({ method: 'GET', url: '/admin/users?q=%00', headers: bearer(adminToken) })],
    ['an admin user id', () => ({ method: 'GET', url: '/admin/users/%00', headers: bearer(adminToken) })],
    [
      'an audit filter',
      () => ({ method: 'GET', url: '/admin/audit?action=%00', headers: bearer(adminToken) }),
    ],
    ['a session id', () => ({ method: 'DELETE', url: '/sessions/%00', headers: bearer(adminToken) })],
  ]

  it.each(cases)('refuses %s with a 4xx, never a 500', async (_name, build) => {
    const response = await testApp.app.inject(build())
    expect(response.statusCode).toBeGreaterThanOrEqual(400)
    expect(response.statusCode).toBeLessThan(500)
    const body = response.json<Record<string, unknown>>()
    expect(body.code ?? body.error).toBeDefined()
  })
})
