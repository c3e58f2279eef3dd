import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'
import {
  ADMIN,
  CORE_ENV,
  createCoreApp,
  getWithToken,
  loginToken,
  registerUser,
  resignToken,
  type PublicUser,
} from './support.ts'

const ADMIN_PATHS = ['/admin/', '/admin']

describe.each(DIALECTS)('GET /admin on %s', (dialect) => {
  let testApp: TestApp
  let user: PublicUser
  let userToken: string
  beforeAll(async () => {
    testApp = await createCoreApp({ dialect })
    user = await registerUser(testApp.app, 'admin-test-user')
    userToken = await loginToken(testApp.app, user.username)
  })
  afterAll(async () => {
    await testApp.close()
  })

  const setRole = (id: string, role: string) =>
    testApp.app.services.db.updateTable('users').set({ role }).where('id', '=', id).execute()

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
  let first: TestApp | undefined
  let second: TestApp | undefined
  afterAll(async () => {
    // The second instance shares the first one's database, so it must go first.
    await second?.close()
    await first?.close()
  })

  it('is created once and never overwritten by a later start with another password', async () => {
    first = await createCoreApp({ dialect })
    second = await createTestApp({
      dialect,
      database: first.database,
      env: { ...CORE_ENV, GATEHOUSE_ADMIN_PASSWORD: 'a different admin password 99' },
    })
    const login = (password: string) =>
      second!.app.inject({ method: 'POST', url: '/login', payload: { username: ADMIN.username, password } })
    expect((await login(ADMIN.password)).statusCode).toBe(200)
    expect((await login('a different admin password 99')).statusCode).toBe(401)
    const admins = await second.app.services.db
      .selectFrom('users')
      .select('id')
      .where('role', '=', 'admin')
      .execute()
    expect(admins).toHaveLength(1)
  })
})
