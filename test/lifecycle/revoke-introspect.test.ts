import { beforeEach, describe, expect, it } from 'vitest'
import {
  attemptIntrospection,
  basicAuthorization,
  callWithToken,
  login,
  logout,
  postForm,
  profileStatus,
  refresh,
  registerUser,
  type Tokens,
} from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { decodeToken } from '../helpers/tokens.ts'
import { ADMIN, ADMIN_ENV } from '../helpers/users.ts'

const CLIENT = { id: 'orders-api', secret: 'orders-api-secret-0123456789' }

describe.each(DIALECTS)('logout, revoke and introspect on %s', (dialect) => {
  const testApp = useTestApp(
    () =>
      createTestApp({
        dialect,
        env: { GATEHOUSE_INTROSPECTION_CLIENTS: `${CLIENT.id}:${CLIENT.secret}`, ...ADMIN_ENV },
      }),
    'test',
  )
  beforeEach(async () => {
    await registerUser(testApp.app, 'ada')
    await registerUser(testApp.app, 'bob')
  })

  const introspect = (token: string, authorization = basicAuthorization(CLIENT.id, CLIENT.secret)) =>
    attemptIntrospection(testApp.app, token, authorization)
  const revoke = (token: string, hint?: string) =>
    postForm(
      testApp.app,
      '/revoke',
      new URLSearchParams({ token, ...(hint ? { token_type_hint: hint } : {}) }).toString(),
    )

  it('logout ends the session: access token refused at once, refresh token dead', async () => {
    const { app } = testApp
    const tokens = await login(app, 'ada')
    const response = await logout(app, tokens.access_token)
    expect(response.statusCode).toBe(204)
    expect(await profileStatus(app, tokens.access_token)).toBe(401)
    expect((await refresh(app, tokens.refresh_token)).statusCode).toBe(400)
  })

  it('revokes the session of a refresh token, whatever the hint says', async () => {
    const tokens = await login(testApp.app, 'ada')
    expect((await revoke(tokens.refresh_token, 'access_token')).statusCode).toBe(200)
    expect(await profileStatus(testApp.app, tokens.access_token)).toBe(401)
    expect((await refresh(testApp.app, tokens.refresh_token)).statusCode).toBe(400)
  })

  it('revokes the session of an access token', async () => {
    const tokens = await login(testApp.app, 'ada')
    expect((await revoke(tokens.access_token, 'refresh_token')).statusCode).toBe(200)
    expect(await profileStatus(testApp.app, tokens.access_token)).toBe(401)
    expect((await refresh(testApp.app, tokens.refresh_token)).statusCode).toBe(400)
  })

  it('answers 200 for unknown and garbage tokens and changes nothing', async () => {
    const ada = await login(testApp.app, 'ada')
    for (const token of [`ghr_${'A'.repeat(43)}`, 'garbage', 'a.b.c', 'ghr_short']) {
      expect((await revoke(token)).statusCode, token).toBe(200)
    }
    const missing = await postForm(testApp.app, '/revoke', '')
    expect(missing.statusCode).toBe(400)
    expect(missing.json()).toMatchObject({ error: 'invalid_request' })
    expect(await profileStatus(testApp.app, ada.access_token)).toBe(200)
  })

  it("does not let one user revoke another's session without holding its token", async () => {
    const ada = await login(testApp.app, 'ada')
    const bob = await login(testApp.app, 'bob')
    // Bob knows Ada's session id (it is in her JWT) but not her tokens.
    const adaSession = decodeToken(ada.access_token).payload as { sid: string }
    const guess = await postForm(
      testApp.app,
      '/revoke',
      new URLSearchParams({ token: adaSession.sid }).toString(),
      {
        authorization: `Bearer ${bob.access_token}`,
      },
    )
    expect(guess.statusCode).toBe(200)
    const byId = await callWithToken(testApp.app, bob.access_token, 'DELETE', `/sessions/${adaSession.sid}`)
    expect(byId.statusCode).toBe(404)
    expect(await profileStatus(testApp.app, ada.access_token)).toBe(200)
  })

  it('requires authorization for introspection', async () => {
    const tokens = await login(testApp.app, 'ada')
    const none = await attemptIntrospection(testApp.app, tokens.access_token)
    expect(none.statusCode).toBe(401)
    expect(none.headers['www-authenticate']).toContain('Basic')
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types asymmetric matchers as any
    expect(none.json()).toEqual({ error: 'invalid_client', error_description: expect.any(String) })
    const wrong = await introspect(
      tokens.access_token,
      basicAuthorization(CLIENT.id, 'wrong-secret-0123456789'),
    )
    expect(wrong.json()).toMatchObject({ error: 'invalid_client' })
    expect(wrong.headers['www-authenticate']).toBe('Basic realm="gatehouse"')
    expect(
      (await introspect(tokens.access_token, basicAuthorization(CLIENT.id, 'wrong-secret-0123456789')))
        .statusCode,
    ).toBe(401)
    expect(
      (await introspect(tokens.access_token, basicAuthorization('nobody', CLIENT.secret))).statusCode,
    ).toBe(401)
    expect((await introspect(tokens.access_token, `Bearer ${tokens.access_token}`)).statusCode).toBe(403)
    const admin = await login(testApp.app, ADMIN.username, ADMIN.password)
    expect((await introspect(tokens.access_token, `Bearer ${admin.access_token}`)).json()).toMatchObject({
      active: true,
    })
  })

  it('describes an active access token and an active refresh token', async () => {
    const tokens = await login(testApp.app, 'ada')
    const access = await introspect(tokens.access_token)
    expect(access.statusCode).toBe(200)
    expect(access.headers['cache-control']).toBe('no-store')
    const claims = access.json<Record<string, unknown>>()
    expect(Object.keys(claims).sort()).toEqual(
      [
        'active',
        'sub',
        'username',
        'scope',
        'client_id',
        'exp',
        'iat',
        'iss',
        'aud',
        'jti',
        'sid',
        'amr',
        'auth_time',
        'token_type',
      ].sort(),
    )
    expect(claims).toMatchObject({
      active: true,
      amr: ['pwd'],
      username: 'ada',
      iss: 'http://gatehouse.test',
      aud: 'gatehouse',
    })
    const refreshInfo = (await introspect(tokens.refresh_token)).json<Record<string, unknown>>()
    expect(refreshInfo).toMatchObject({ active: true, sub: claims.sub, sid: claims.sid })
    // RFC 7662 §2.2: token_type is an access-token type; a refresh token has none (issue 16, finding 7).
    expect(refreshInfo).not.toHaveProperty('token_type')
  })

  it('answers exactly {"active":false} for every inactive token', async () => {
    const { app, clock } = testApp
    const rotated = await login(app, 'ada')
    const successor = (await refresh(app, rotated.refresh_token)).json<Tokens>()
    const revoked = await login(app, 'ada')
    await revoke(revoked.refresh_token)
    const expired = await login(app, 'bob')
    const cases: Record<string, string> = {
      garbage: 'not-a-token',
      'unknown refresh token': `ghr_${'B'.repeat(43)}`,
      'rotated refresh token': rotated.refresh_token,
      'revoked access token': revoked.access_token,
      'refresh token of a revoked family': revoked.refresh_token,
      'tampered access token': `${successor.access_token.slice(0, -4)}AAAA`,
    }
    for (const [name, token] of Object.entries(cases)) {
      const response = await introspect(token)
      expect(response.statusCode, name).toBe(200)
      expect(response.body, name).toBe('{"active":false}')
    }
    clock.advanceSeconds(1800 + 31)
    expect((await introspect(expired.access_token)).body).toBe('{"active":false}')
  })
})
