import { beforeAll, describe, expect, it } from 'vitest'
import { attemptLogin, getWithToken, loginToken, registerUser, type PublicUser } from '../helpers/api.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { closedAfterEach, useTestApp } from '../helpers/hooks.ts'
import { setUserRole, userIdsWhere } from '../helpers/rows.ts'
import { resignToken } from '../helpers/tokens.ts'
import { ADMIN } from '../helpers/users.ts'
import { CORE_ENV, createCoreApp } from './app.ts'

const ADMIN_PATHS = ['/admin/', '/admin']

describe.each(DIALECTS)('GET /admin on %s', (dialect) => {
  const testApp = useTestApp(() => createCoreApp({ dialect }))
  let user: PublicUser
  let userToken: string
  beforeAll(async () => {
    user = await registerUser(testApp.app, 'admin-test-user')
    userToken = await loginToken(testApp.app, user.username)
  })

  const setRole = (id: string, role: string) => setUserRole(testApp.app, id, role)

  it.each(ADMIN_PATHS)(
    '%s welcomes the admin created from GATEHOUSE_ADMIN_USERNAME/PASSWORD',
    async (url) => {
      const adminToken = await loginToken(testApp.app, ADMIN.username, ADMIN.password)
      const response = await getWithToken(testApp.app, url, adminToken)
      expect(response.statusCode).toBe(200)
      expect(response.json()).toEqual({ msg: 'welcome admin' })
      expect((await getWithToken(testApp.app, '/profile', adminToken)).json()).toMatchObject({
        role: 'admin',
      })
    },
  )

  it.each(ADMIN_PATHS)('%s answers 403 forbidden to a user', async (url) => {
    const response = await getWithToken(testApp.app, url, userToken)
    expect(response.statusCode).toBe(403)
    expect(response.json()).toEqual({ detail: 'Forbidden', code: 'forbidden' })
  })

  it.each(ADMIN_PATHS)('%s answers 401 Bearer without a token', async (url) => {
    const response = await testApp.app.inject({ method: 'GET', url })
    expect(response.statusCode).toBe(401)
    expect(response.headers['www-authenticate']).toBe('Bearer')
  })

  it('never trusts a role claim, even one carrying a valid signature', async () => {
    const forged = resignToken(testApp.app, userToken, ({ payload }) => {
      payload.role = 'admin'
    })
    // The forged token itself is accepted (same key, same session), so only the role check can refuse it.
    expect((await getWithToken(testApp.app, '/profile', forged)).statusCode).toBe(200)
    expect((await getWithToken(testApp.app, '/admin/', forged)).statusCode).toBe(403)
  })

  it('reads the role from the database on every request: promotion and demotion bite at once', async () => {
    await setRole(user.id, 'admin')
    expect((await getWithToken(testApp.app, '/admin/', userToken)).statusCode).toBe(200)
    await setRole(user.id, 'user')
    expect((await getWithToken(testApp.app, '/admin/', userToken)).statusCode).toBe(403)
  })
})

describe.each(DIALECTS)('the bootstrap admin on %s', (dialect) => {
  // Closed newest first: the second instance shares the first one's database, so it must go first.
  const fresh = closedAfterEach()

  it('is created once and never overwritten by a later start with another password', async () => {
    const first = await fresh.app({ dialect, env: CORE_ENV })
    const second = await fresh.app({
      dialect,
      database: first.database,
      env: { ...CORE_ENV, GATEHOUSE_ADMIN_PASSWORD: 'a different admin password 99' },
    })
    const login = (password: string) => attemptLogin(second.app, ADMIN.username, password)
    expect((await login(ADMIN.password)).statusCode).toBe(200)
    expect((await login('a different admin password 99')).statusCode).toBe(401)
    const admins = await userIdsWhere(second.app, 'role', 'admin')
    expect(admins).toHaveLength(1)
  })
})
