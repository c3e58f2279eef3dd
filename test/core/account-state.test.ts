import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { TestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'
import {
  createCoreApp,
  expectInvalidToken,
  getWithToken,
  loginToken,
  registerUser,
  type PublicUser,
} from './support.ts'

// Access tokens are self-contained, so these prove the per-request database check: a token signed
// before the change must stop working on the very next request, with no cache in between.

describe.each(DIALECTS)('tokens of changed accounts on %s', (dialect) => {
  let testApp: TestApp
  let user: PublicUser
  let token: string
  let counter = 0
  beforeAll(async () => {
    testApp = await createCoreApp({ dialect })
  })
  afterAll(async () => {
    await testApp.close()
  })
  beforeEach(async () => {
    counter += 1
    user = await registerUser(testApp.app, `state-user-${counter}`)
    token = await loginToken(testApp.app, user.username)
    expect((await getWithToken(testApp.app, '/profile', token)).statusCode).toBe(200)
  })

  const db = () => testApp.app.services.db

  it.each(['/profile', '/token_expiry', '/admin/'])(
    'a deleted user’s token is refused on %s',
    async (url) => {
      await db().deleteFrom('users').where('id', '=', user.id).execute()
      expectInvalidToken(await getWithToken(testApp.app, url, token))
    },
  )

  it('a deleted user’s name, registered again, does not revive the old token for the new account', async () => {
    await db().deleteFrom('users').where('id', '=', user.id).execute()
    const newcomer = await registerUser(testApp.app, user.username)
    expect(newcomer.id).not.toBe(user.id)
    expectInvalidToken(await getWithToken(testApp.app, '/profile', token))
  })

  it.each(['/profile', '/token-expiry', '/admin'])(
    'a disabled user’s token is refused on %s',
    async (url) => {
      await db()
        .updateTable('users')
        .set({ disabled_at: testApp.clock.now() })
        .where('id', '=', user.id)
        .execute()
      expectInvalidToken(await getWithToken(testApp.app, url, token))
    },
  )

  it('a disabled user cannot rename themself with an old token', async () => {
    await db()
      .updateTable('users')
      .set({ disabled_at: testApp.clock.now() })
      .where('id', '=', user.id)
      .execute()
    const response = await testApp.app.inject({
      method: 'PUT',
      url: '/profile',
      headers: { authorization: `Bearer ${token}` },
      payload: { username: `${user.username}-x`, password: 'correct horse battery staple' },
    })
    expectInvalidToken(response)
    const row = await db()
      .selectFrom('users')
      .select('username')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow()
    expect(row.username).toBe(user.username)
  })

  it('a re-enabled user’s token works again while it is unexpired', async () => {
    await db()
      .updateTable('users')
      .set({ disabled_at: testApp.clock.now() })
      .where('id', '=', user.id)
      .execute()
    expectInvalidToken(await getWithToken(testApp.app, '/profile', token))
    await db().updateTable('users').set({ disabled_at: null }).where('id', '=', user.id).execute()
    expect((await getWithToken(testApp.app, '/profile', token)).statusCode).toBe(200)
  })

  it('a revoked session’s token is refused', async () => {
    await db()
      .updateTable('sessions')
      .set({ revoked_at: testApp.clock.now(), revoked_reason: 'test' })
      .where('user_id', '=', user.id)
      .execute()
    expectInvalidToken(await getWithToken(testApp.app, '/profile', token))
  })
})
