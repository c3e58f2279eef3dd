import { beforeAll, describe, expect, it } from 'vitest'
import { postForm, profileStatus, registerUser, type Tokens } from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { decodeToken } from '../helpers/tokens.ts'
import { PASSWORD } from '../helpers/users.ts'

describe.each(DIALECTS)('the RFC 6749 token endpoint on %s', (dialect) => {
  const testApp = useTestApp(() => createTestApp({ dialect }))
  beforeAll(async () => {
    await registerUser(testApp.app, 'ada')
  })
  const token = (body: string) => postForm(testApp.app, '/token', body)

  it('issues a pair for the password grant, uncached', async () => {
    const response = await token(`grant_type=password&username=ada&password=${PASSWORD}`)
    expect(response.statusCode).toBe(200)
    expect(response.headers['cache-control']).toBe('no-store')
    expect(response.headers.pragma).toBe('no-cache')
    const tokens = response.json<Tokens>()
    // device_token: issue 16, finding 2 (OWASP device cookies); refresh grants carry none.
    expect(Object.keys(tokens).sort()).toEqual([
      'access_token',
      'device_token',
      'expires_in',
      'refresh_token',
      'token_type',
    ])
    expect(await profileStatus(testApp.app, tokens.access_token)).toBe(200)
  })

  const errors: Array<[string, string, string]> = [
    ['a wrong password', `grant_type=password&username=ada&password=wrong-password`, 'invalid_grant'],
    ['an unknown user', `grant_type=password&username=nobody&password=${PASSWORD}`, 'invalid_grant'],
    ['a missing grant_type', `username=ada&password=${PASSWORD}`, 'invalid_request'],
    [
      'a repeated parameter',
      `grant_type=password&username=ada&username=ada&password=${PASSWORD}`,
      'invalid_request',
    ],
    [
      'a repeated grant_type',
      `grant_type=password&grant_type=refresh_token&username=ada&password=x`,
      'invalid_request',
    ],
    ['an unsupported grant type', 'grant_type=client_credentials', 'unsupported_grant_type'],
    ['a password grant without a password', 'grant_type=password&username=ada', 'invalid_request'],
    ['a refresh grant without a token', 'grant_type=refresh_token', 'invalid_request'],
    [
      'an unknown refresh token',
      `grant_type=refresh_token&refresh_token=ghr_${'x'.repeat(43)}`,
      'invalid_grant',
    ],
  ]
  it.each(errors)('answers %s with a 400 RFC 6749 error', async (_name, body, error) => {
    const response = await token(body)
    expect(response.statusCode).toBe(400)
    expect(response.headers['cache-control']).toBe('no-store')
    expect(response.headers.pragma).toBe('no-cache')
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types asymmetric matchers as any
    expect(response.json()).toEqual({ error, error_description: expect.any(String) })
  })

  it('never lets the client choose a scope', async () => {
    const asked = await token(`grant_type=password&username=ada&password=${PASSWORD}&scope=admin%20write`)
    expect(asked.statusCode).toBe(400)
    expect(asked.json()).toMatchObject({ error: 'invalid_scope' })
    expect((await token(`grant_type=password&username=ada&password=${PASSWORD}&scope=`)).statusCode).toBe(200)
    // /login accepts the form's scope field for compatibility, but it never reaches the token.
    const login = await testApp.app.inject({
      method: 'POST',
      url: '/login',
      payload: { username: 'ada', password: PASSWORD, scope: 'admin' },
    })
    const claims = decodeToken(login.json<Tokens>().access_token).payload
    expect(claims).not.toHaveProperty('scope')
  })

  it('answers the same invalid_grant for unknown user and wrong password', async () => {
    const wrong = await token('grant_type=password&username=ada&password=wrong-password')
    const unknown = await token('grant_type=password&username=nobody&password=wrong-password')
    expect(wrong.body).toBe(unknown.body)
  })

  it('refuses a JSON body with 415 and an RFC 6749 body', async () => {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/token',
      payload: { grant_type: 'password', username: 'ada', password: PASSWORD },
    })
    expect(response.statusCode).toBe(415)
    expect(response.json()).toMatchObject({ error: 'invalid_request' })
  })
})
