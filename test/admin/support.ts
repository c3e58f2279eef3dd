import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.ts'
import type { Dialect } from '../../src/db/schema.ts'
import { login, register } from '../lifecycle/flows.ts'

/** The bootstrap admin every admin test starts with. */
export const ROOT = { username: 'root', password: 'root-password-42' }

/** A test app with a bootstrap admin, plus ready-made helpers for calling the admin API. */
export interface AdminTestApp extends TestApp {
  rootToken: string
  rootId: string
}

/** Builds an app whose bootstrap admin is `root`, logged in. */
export async function createAdminApp(
  dialect: Dialect,
  env: Record<string, string> = {},
): Promise<AdminTestApp> {
  const testApp = await createTestApp({
    dialect,
    env: { GATEHOUSE_ADMIN_USERNAME: ROOT.username, GATEHOUSE_ADMIN_PASSWORD: ROOT.password, ...env },
  })
  const tokens = await login(testApp.app, ROOT.username, ROOT.password)
  const me = await testApp.app.inject({
    method: 'GET',
    url: '/profile',
    headers: bearer(tokens.access_token),
  })
  return { ...testApp, rootToken: tokens.access_token, rootId: me.json<{ id: string }>().id }
}

/** An Authorization header. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` }
}

/** Registers and logs in a user; returns their id and access token. */
export async function userWithToken(
  app: FastifyInstance,
  username: string,
): Promise<{ id: string; token: string; refreshToken: string }> {
  const id = await register(app, username)
  const tokens = await login(app, username)
  return { id, token: tokens.access_token, refreshToken: tokens.refresh_token }
}

/** Calls the admin API with a token and a JSON body. */
export function adminCall(
  app: FastifyInstance,
  token: string | undefined,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
) {
  return app.inject({
    method,
    url,
    headers: token === undefined ? {} : bearer(token),
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  })
}

/** Makes a second admin through the API and logs them in. */
export async function secondAdmin(testApp: AdminTestApp, username: string) {
  const user = await userWithToken(testApp.app, username)
  const promoted = await adminCall(testApp.app, testApp.rootToken, 'PATCH', `/admin/users/${user.id}`, {
    role: 'admin',
  })
  expect(promoted.statusCode).toBe(200)
  return user
}
