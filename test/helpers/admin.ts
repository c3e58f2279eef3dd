import { expect } from 'vitest'
import type { Dialect } from '../../src/db/schema.ts'
import { callWithToken, login, userWithToken } from './api.ts'
import { createTestApp, type TestApp } from './app.ts'
import { ADMIN, ADMIN_ENV } from './users.ts'

/** A test app whose bootstrap admin (ADMIN) is logged in. */
export interface AdminTestApp extends TestApp {
  rootToken: string
  rootId: string
}

/** Builds an app whose bootstrap admin is ADMIN, and logs them in. */
export async function createAdminApp(
  dialect: Dialect,
  env: Record<string, string> = {},
): Promise<AdminTestApp> {
  const testApp = await createTestApp({ dialect, env: { ...ADMIN_ENV, ...env } })
  const tokens = await login(testApp.app, ADMIN.username, ADMIN.password)
  const me = await callWithToken(testApp.app, tokens.access_token, 'GET', '/profile')
  return { ...testApp, rootToken: tokens.access_token, rootId: me.json<{ id: string }>().id }
}

/** Makes a second admin through the admin API and logs them in. */
export async function secondAdmin(testApp: AdminTestApp, username: string) {
  const user = await userWithToken(testApp.app, username)
  const promoted = await callWithToken(testApp.app, testApp.rootToken, 'PATCH', `/admin/users/${user.id}`, {
    role: 'admin',
  })
  expect(promoted.statusCode).toBe(200)
  return user
}
