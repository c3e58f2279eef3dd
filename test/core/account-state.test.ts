import { beforeEach, describe, expect, it } from 'vitest'
import { callWithToken, getWithToken, loginToken, registerUser, type PublicUser } from '../helpers/api.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { setUserDisabledAt, findUserRow } from '../helpers/rows.ts'
import { expectInvalidToken } from '../helpers/tokens.ts'
import { PASSWORD } from '../helpers/users.ts'
import { createCoreApp } from './app.ts'

// Access tokens are self-contained, so these prove the per-request database check: a token signed
// before the change must stop working on the very next request, with no cache in between.

describe.each(DIALECTS)('tokens of changed accounts on %s', (dialect) => {
  const testApp = useTestApp(() => createCoreApp({ dialect }))
  let user: PublicUser
  let token: string
  let counter = 0
  beforeEach(async () => {
    counter += 1
    user = await registerUser(testApp.app, `state-user-${counter}`)
    token = await loginToken(testApp.app, user.username)
    expect((await getWithToken(testApp.app, '/profile', token)).statusCode).toBe(200)
  })

  const db = () => testApp.app.services.db
  const disable = (at: number | null = testApp.clock.now()) => setUserDisabledAt(testApp.app, user.id, at)

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
      await disable()
      expectInvalidToken(await getWithToken(testApp.app, url, token))
    },
  )

  it('a disabled user cannot rename themself with an old token', async () => {
    await disable()
    const response = await callWithToken(testApp.app, token, 'PUT', '/profile', {
      username: `${user.username}-x`,
      password: PASSWORD,
    })
    expectInvalidToken(response)
    const row = await findUserRow(testApp.app, user.id)
    expect(row.username).toBe(user.username)
  })

  it('a re-enabled user’s token works again while it is unexpired', async () => {
    await disable()
    expectInvalidToken(await getWithToken(testApp.app, '/profile', token))
    await disable(null)
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
