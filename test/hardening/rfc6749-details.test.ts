import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { attemptIntrospection, basicAuthorization, login, postForm, registerUser } from '../helpers/api.ts'
import { PASSWORD } from '../helpers/users.ts'

const CLIENT = { id: 'orders-api', secret: 'orders-api-secret-0123456789' }
const basic = basicAuthorization(CLIENT.id, CLIENT.secret)

// Regression (issue 16, finding 7): three places where /token and /introspect strayed from the RFCs.
describe.each(DIALECTS)('RFC 6749 and RFC 7662 details on %s', (dialect) => {
  let testApp: TestApp
  beforeAll(async () => {
    testApp = await createTestApp({
      dialect,
      env: { GATEHOUSE_INTROSPECTION_CLIENTS: `${CLIENT.id}:${CLIENT.secret}` },
    })
    await registerUser(testApp.app, 'ada')
  })
  afterAll(async () => {
    await testApp.close()
  })
  const token = (body: string) => postForm(testApp.app, '/token', body)

  it('finding 7: an empty grant_type is an omitted one (RFC 6749 §3.2): invalid_request', async () => {
    for (const form of ['grant_type=', `grant_type=&username=ada&password=${PASSWORD}`]) {
      const response = await token(form)
      expect(response.statusCode).toBe(400)
      const body = response.json<{ error: string; error_description: string }>()
      expect(Object.keys(body).sort()).toEqual(['error', 'error_description'])
      expect(body.error).toBe('invalid_request')
    }
  })

  it('finding 7: any parameter without a value counts as omitted', async () => {
    const noPassword = await token('grant_type=password&username=ada&password=')
    expect(noPassword.json()).toMatchObject({ error: 'invalid_request' })
    const noRefreshToken = await token('grant_type=refresh_token&refresh_token=')
    expect(noRefreshToken.json()).toMatchObject({ error: 'invalid_request' })
  })

  it('finding 7: a refresh that asks for a scope gets invalid_scope, like the password grant', async () => {
    const pair = await login(testApp.app, 'ada')
    const asked = await token(
      new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: pair.refresh_token,
        scope: 'admin',
      }).toString(),
    )
    expect(asked.statusCode).toBe(400)
    expect(asked.json()).toMatchObject({ error: 'invalid_scope' })
    // The refused request did not rotate the token: it still refreshes, with an empty scope as well.
    const empty = await token(
      new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: pair.refresh_token,
        scope: '',
      }).toString(),
    )
    expect(empty.statusCode).toBe(200)
  })

  it('finding 7: introspecting a refresh token names no token_type (RFC 7662 §2.2, RFC 6749 §7.1)', async () => {
    const pair = await login(testApp.app, 'ada')
    const refreshInfo = await attemptIntrospection(testApp.app, pair.refresh_token, basic)
    expect(refreshInfo.json()).toMatchObject({ active: true })
    expect(refreshInfo.json()).not.toHaveProperty('token_type')
    const accessInfo = await attemptIntrospection(testApp.app, pair.access_token, basic)
    expect(accessInfo.json()).toMatchObject({ active: true, token_type: 'Bearer' })
  })
})
