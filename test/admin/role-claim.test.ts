import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DIALECTS } from '../helpers/databases.ts'
import { adminCall, createAdminApp, userWithToken, type AdminTestApp } from './support.ts'

function decodePart(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>
}
function encodePart(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url')
}

describe.each(DIALECTS)('admin rights come from the database role on %s', (dialect) => {
  let testApp: AdminTestApp
  beforeEach(async () => {
    testApp = await createAdminApp(dialect)
  })
  afterEach(async () => {
    await testApp.close()
  })
  const setRole = (id: string, role: string) =>
    testApp.app.services.db.updateTable('users').set({ role }).where('id', '=', id).execute()

  it('the same token is refused, then allowed, then refused as the database role changes', async () => {
    const { app } = testApp
    const user = await userWithToken(app, 'ada')
    expect(decodePart(user.token.split('.')[1]!).role ?? 'user').toBe('user')
    expect((await adminCall(app, user.token, 'GET', '/admin/users')).statusCode).toBe(403)
    await setRole(user.id, 'admin')
    // The token still says "user" (if it says anything): only the database row decides.
    expect((await adminCall(app, user.token, 'GET', '/admin/users')).statusCode).toBe(200)
    expect((await adminCall(app, user.token, 'GET', '/admin/')).statusCode).toBe(200)
    await setRole(user.id, 'user')
    expect((await adminCall(app, user.token, 'GET', '/admin/users')).statusCode).toBe(403)
  })

  it('a token whose payload is edited to claim admin fails its signature: 401', async () => {
    const { app } = testApp
    const user = await userWithToken(app, 'ada')
    const [header, payload, signature] = user.token.split('.') as [string, string, string]
    const forged = `${header}.${encodePart({ ...decodePart(payload), role: 'admin', roles: ['admin'] })}.${signature}`
    const response = await adminCall(app, forged, 'GET', '/admin/users')
    expect(response.statusCode).toBe(401)
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"')
    // An admin's token with its subject swapped to the user's is refused the same way.
    const rootPayload = decodePart(testApp.rootToken.split('.')[1]!)
    const [rootHeader, , rootSignature] = testApp.rootToken.split('.')
    const swapped = `${rootHeader}.${encodePart({ ...rootPayload, sub: user.id })}.${rootSignature}`
    expect((await adminCall(app, swapped, 'GET', '/admin/users')).statusCode).toBe(401)
    const unsigned = `${encodePart({ alg: 'none', typ: 'at+jwt' })}.${encodePart({ ...decodePart(payload), role: 'admin' })}.`
    expect((await adminCall(app, unsigned, 'GET', '/admin/users')).statusCode).toBe(401)
  })

  it('the seed route GET /admin/ keeps working for admins only', async () => {
    const { app, rootToken } = testApp
    const user = await userWithToken(app, 'ada')
    expect((await adminCall(app, rootToken, 'GET', '/admin/')).json()).toEqual({ msg: 'welcome admin' })
    expect((await adminCall(app, user.token, 'GET', '/admin/')).statusCode).toBe(403)
  })
})
