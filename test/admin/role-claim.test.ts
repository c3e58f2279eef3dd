import { describe, expect, it } from 'vitest'
import { createAdminApp } from '../helpers/admin.ts'
import { callWithToken, userWithToken } from '../helpers/api.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { setUserRole } from '../helpers/rows.ts'
import { decodeSegment, decodeToken, encodeSegment } from '../helpers/tokens.ts'

describe.each(DIALECTS)('admin rights come from the database role on %s', (dialect) => {
  const testApp = useTestApp(() => createAdminApp(dialect), 'test')
  const setRole = (id: string, role: string) => setUserRole(testApp.app, id, role)

  it('the same token is refused, then allowed, then refused as the database role changes', async () => {
    const { app } = testApp
    const user = await userWithToken(app, 'ada')
    expect(decodeToken(user.token).payload.role ?? 'user').toBe('user')
    expect((await callWithToken(app, user.token, 'GET', '/admin/users')).statusCode).toBe(403)
    await setRole(user.id, 'admin')
    // The token still says "user" (if it says anything): only the database row decides.
    expect((await callWithToken(app, user.token, 'GET', '/admin/users')).statusCode).toBe(200)
    expect((await callWithToken(app, user.token, 'GET', '/admin/')).statusCode).toBe(200)
    await setRole(user.id, 'user')
    expect((await callWithToken(app, user.token, 'GET', '/admin/users')).statusCode).toBe(403)
  })

  it('a token whose payload is edited to claim admin fails its signature: 401', async () => {
    const { app } = testApp
    const user = await userWithToken(app, 'ada')
    const [header, payload, signature] = user.token.split('.') as [string, string, string]
    const forged = `${header}.${encodeSegment({ ...decodeSegment(payload), role: 'admin', roles: ['admin'] })}.${signature}`
    const response = await callWithToken(app, forged, 'GET', '/admin/users')
    expect(response.statusCode).toBe(401)
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"')
    // An admin's token with its subject swapped to the user's is refused the same way.
    const rootPayload = decodeToken(testApp.rootToken).payload
    const [rootHeader, , rootSignature] = testApp.rootToken.split('.')
    const swapped = `${rootHeader}.${encodeSegment({ ...rootPayload, sub: user.id })}.${rootSignature}`
    expect((await callWithToken(app, swapped, 'GET', '/admin/users')).statusCode).toBe(401)
    const unsigned = `${encodeSegment({ alg: 'none', typ: 'at+jwt' })}.${encodeSegment({ ...decodeSegment(payload), role: 'admin' })}.`
    expect((await callWithToken(app, unsigned, 'GET', '/admin/users')).statusCode).toBe(401)
  })

  it('the seed route GET /admin/ keeps working for admins only', async () => {
    const { app, rootToken } = testApp
    const user = await userWithToken(app, 'ada')
    expect((await callWithToken(app, rootToken, 'GET', '/admin/')).json()).toEqual({ msg: 'welcome admin' })
    expect((await callWithToken(app, user.token, 'GET', '/admin/')).statusCode).toBe(403)
  })
})
