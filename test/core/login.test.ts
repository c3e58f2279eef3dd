import { beforeAll, describe, expect, it } from 'vitest'
import { getWithToken, registerUser, type PublicUser, type Tokens } from '../helpers/api.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { sessionCount, setUserDisabledAt } from '../helpers/rows.ts'
import { decodeToken } from '../helpers/tokens.ts'
import { PASSWORD } from '../helpers/users.ts'
import { createCoreApp } from './app.ts'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

describe.each(DIALECTS)('POST /login on %s', (dialect) => {
  const testApp = useTestApp(() => createCoreApp({ dialect }))
  let alice: PublicUser
  beforeAll(async () => {
    alice = await registerUser(testApp.app, 'login-alice')
  })

  const loginJson = (payload: object) => testApp.app.inject({ method: 'POST', url: '/login', payload })
  const loginForm = (form: string, headers: Record<string, string> = FORM) =>
    testApp.app.inject({ method: 'POST', url: '/login', payload: form, headers })

  it('accepts the seed JSON body and answers an uncacheable bearer token response', async () => {
    const response = await loginJson({ username: 'login-alice', password: PASSWORD })
    expect(response.statusCode).toBe(200)
    const body = response.json<Record<string, unknown>>()
    expect(body).toMatchObject({ token_type: 'bearer', expires_in: 1800 })
    expect(typeof body.access_token).toBe('string')
    // RFC 6749 §5.1.
    expect(response.headers['cache-control']).toBe('no-store')
    expect(response.headers.pragma).toBe('no-cache')
    expect((await getWithToken(testApp.app, '/profile', body.access_token as string)).statusCode).toBe(200)
  })

  it('issues an RFC 9068 access token whose sub is the user id and whose sid is a stored session', async () => {
    const response = await loginJson({ username: 'login-alice', password: PASSWORD })
    const { header, payload } = decodeToken(response.json<{ access_token: string }>().access_token)
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' })
    expect(typeof header.kid).toBe('string')
    const nowSeconds = Math.floor(testApp.clock.now() / 1000)
    expect(payload).toMatchObject({
      iss: 'http://gatehouse.test',
      aud: 'gatehouse',
      sub: alice.id,
      client_id: 'gatehouse',
      iat: nowSeconds,
      exp: nowSeconds + 1800,
    })
    expect(typeof payload.jti).toBe('string')
    const session = await testApp.app.services.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', payload.sid as string)
      .executeTakeFirst()
    expect(session?.user_id).toBe(alice.id)
  })

  it('gives every login its own session and jti', async () => {
    const first = decodeToken(
      (await loginJson({ username: 'login-alice', password: PASSWORD })).json<Tokens>().access_token,
    )
    const second = decodeToken(
      (await loginJson({ username: 'login-alice', password: PASSWORD })).json<Tokens>().access_token,
    )
    expect(first.payload.sid).not.toBe(second.payload.sid)
    expect(first.payload.jti).not.toBe(second.payload.jti)
  })

  it('finds the account by any case or NFKC spelling of its name', async () => {
    for (const username of ['LOGIN-ALICE', 'Ｌｏｇｉｎ-Ａｌｉｃｅ']) {
      const response = await loginJson({ username, password: PASSWORD })
      expect(response.statusCode).toBe(200)
      expect(decodeToken(response.json<Tokens>().access_token).payload.sub).toBe(alice.id)
    }
  })

  it.each([
    [
      'the OAuth2 password form of /docs and OAuth2PasswordRequestForm',
      'grant_type=password&username=login-alice&password=correct+horse+battery+staple&scope=',
    ],
    [
      'a form with only username and password',
      'username=login-alice&password=correct%20horse%20battery%20staple',
    ],
    [
      'a form with client_id and an empty client_secret',
      'username=login-alice&password=correct+horse+battery+staple&client_id=docs&client_secret=',
    ],
  ])('accepts %s', async (_label, form) => {
    const response = await loginForm(form)
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json()).toMatchObject({ token_type: 'bearer', expires_in: 1800 })
    expect(response.headers['cache-control']).toBe('no-store')
  })

  it('accepts a form content type with a charset parameter', async () => {
    const response = await loginForm('username=login-alice&password=correct+horse+battery+staple', {
      'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
    })
    expect(response.statusCode).toBe(200)
  })

  it('refuses a repeated form parameter rather than picking one', async () => {
    const response = await loginForm(
      'username=login-alice&username=other&password=correct+horse+battery+staple',
    )
    expect(response.statusCode).toBe(422)
    expect(response.json()).toMatchObject({ code: 'validation_failed' })
  })

  it('refuses a grant_type other than password', async () => {
    const response = await loginForm(
      'grant_type=client_credentials&username=login-alice&password=correct+horse+battery+staple',
    )
    expect(response.statusCode).toBe(422)
  })

  describe('failures are indistinguishable', () => {
    beforeAll(async () => {
      const { id } = await registerUser(testApp.app, 'login-disabled')
      // A direct update, as `gatehouse users disable` would do.
      await setUserDisabledAt(testApp.app, id, testApp.clock.now())
    })

    const attempts = {
      'unknown user': { username: 'login-nobody', password: PASSWORD },
      'wrong password': { username: 'login-alice', password: 'wrong horse battery staple' },
      'disabled user with the right password': { username: 'login-disabled', password: PASSWORD },
      'unknown user with an oversized password': { username: 'login-nobody', password: 'p'.repeat(2000) },
      'known user with an oversized password': { username: 'login-alice', password: 'p'.repeat(2000) },
    }

    it('answers the same 401, body and WWW-Authenticate for every failure', async () => {
      const seen = new Set<string>()
      for (const [label, payload] of Object.entries(attempts)) {
        const response = await loginJson(payload)
        expect(response.statusCode, label).toBe(401)
        expect(response.headers['www-authenticate'], label).toBe('Bearer')
        expect(response.json(), label).toEqual({
          detail: 'Incorrect username or password',
          code: 'invalid_credentials',
        })
        seen.add(
          JSON.stringify([
            response.statusCode,
            response.headers['content-type'],
            response.headers['www-authenticate'],
            response.body,
          ]),
        )
      }
      expect(seen.size).toBe(1)
    })

    it('answers the form login failures the same way', async () => {
      const response = await loginForm(
        'grant_type=password&username=login-nobody&password=whatever-it-is&scope=',
      )
      expect(response.statusCode).toBe(401)
      expect(response.headers['www-authenticate']).toBe('Bearer')
      expect(response.json()).toEqual({
        detail: 'Incorrect username or password',
        code: 'invalid_credentials',
      })
    })

    it('opens no session for a failed login', async () => {
      const count = () => sessionCount(testApp.app)
      const before = await count()
      for (const payload of Object.values(attempts)) await loginJson(payload)
      expect(await count()).toBe(before)
    })
  })
})
