import type { LightMyRequestResponse } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readDeviceToken } from '../../src/services/login/device-tokens.ts'
import { createTestApp, type TestApp } from '../helpers/app.ts'
import { registerUser } from '../helpers/api.ts'
import { STORES } from '../helpers/stores.ts'
import { PASSWORD } from '../helpers/users.ts'

const WRONG = 'not the right password'
const HOME = '10.0.0.7'

/** Status, body and every header but Date: what a client (or an attacker) can compare. */
function observable(response: LightMyRequestResponse) {
  // The date and the request id differ on every response by design.
  const { date: _date, 'x-request-id': _requestId, ...headers } = response.headers
  return { status: response.statusCode, body: response.body, headers }
}

// Regression (issue 16, finding 2): five wrong passwords from anywhere made the right password answer 429
// from every address for up to GATEHOUSE_LOGIN_MAX_BACKOFF, and an attacker could keep that up. A device
// token (OWASP device cookies) now lets the account's own clients through on their own counter.
describe.each(STORES)('device tokens against lockout by strangers ($name)', (variant) => {
  let testApp: TestApp
  beforeEach(async () => {
    testApp = await createTestApp({ dialect: variant.dialect, env: variant.env() })
    await registerUser(testApp.app, 'besieged')
    await registerUser(testApp.app, 'neighbour')
  })
  afterEach(async () => {
    await testApp.close()
  })

  const login = (
    username: string,
    password: string,
    remoteAddress: string,
    headers: Record<string, string> = {},
  ) =>
    testApp.app.inject({
      method: 'POST',
      url: '/login',
      payload: { username, password },
      remoteAddress,
      headers,
    })
  const deviceTokenOf = async (username: string) => {
    const response = await login(username, PASSWORD, HOME)
    expect(response.statusCode).toBe(200)
    const token = response.json<{ device_token?: string }>().device_token
    if (token === undefined) throw new Error('no device_token in the login response')
    return token
  }
  /** Five wrong passwords for the account, each from a different address: only the account-wide block. */
  const strangersGuess = async (username: string) => {
    for (let attacker = 1; attacker <= 5; attacker += 1) {
      expect((await login(username, WRONG, `203.0.113.${attacker}`)).statusCode).toBe(401)
    }
  }

  it('finding 2: gives a device token in the body and as an HttpOnly, SameSite=Strict cookie scoped to /login', async () => {
    const response = await login('besieged', PASSWORD, HOME)
    const token = response.json<{ device_token: string }>().device_token
    expect(readDeviceToken(testApp.app.services, token)).toMatchObject({
      userId: expect.any(String) as string,
    })
    const cookie = String(response.headers['set-cookie'])
    expect(cookie).toContain(`gatehouse_device=${token};`)
    expect(cookie).toMatch(/; Path=\/login;/)
    expect(cookie).toMatch(/; HttpOnly/)
    expect(cookie).toMatch(/; SameSite=Strict/)
    // The test issuer is http://gatehouse.test: a Secure cookie would never come back over http.
    expect(cookie).not.toMatch(/Secure/)
  })

  it('finding 2: after five wrong passwords from elsewhere, the right one with the device token is 200, without it 429', async () => {
    const token = await deviceTokenOf('besieged')
    await strangersGuess('besieged')
    expect((await login('besieged', PASSWORD, HOME)).statusCode).toBe(429)
    const viaHeader = await login('besieged', PASSWORD, HOME, { 'gatehouse-device': token })
    expect(viaHeader.statusCode).toBe(200)
    const viaCookie = await login('besieged', PASSWORD, HOME, {
      cookie: `theme=dark; gatehouse_device=${token}`,
    })
    expect(viaCookie.statusCode).toBe(200)
    // The account-wide block still holds for everyone without a device token.
    expect((await login('besieged', PASSWORD, '198.51.100.9')).statusCode).toBe(429)
  })

  it('finding 2: a device token of another account, or a forged one, does not help', async () => {
    const neighbours = await deviceTokenOf('neighbour')
    const own = await deviceTokenOf('besieged')
    await strangersGuess('besieged')
    const forged = `${own.slice(0, -4)}${own.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`
    for (const token of [neighbours, forged, 'gd1.x.1.y.z', 'x'.repeat(500)]) {
      const response = await login('besieged', PASSWORD, HOME, { 'gatehouse-device': token })
      expect(response.statusCode).toBe(429)
    }
  })

  it('finding 2: wrong passwords with a device token meet a backoff of that device alone', async () => {
    const token = await deviceTokenOf('besieged')
    const device = { 'gatehouse-device': token }
    for (let guess = 0; guess < 5; guess += 1) {
      expect((await login('besieged', WRONG, HOME, device)).statusCode).toBe(401)
    }
    expect((await login('besieged', PASSWORD, HOME, device)).statusCode).toBe(429)
    // Those failures were the device's, not the account's: another client of the user is not blocked.
    expect((await login('besieged', PASSWORD, '198.51.100.9')).statusCode).toBe(200)
  })

  it('finding 2: throttled answers stay the same for an unknown name and a real one, token or not', async () => {
    const token = await deviceTokenOf('besieged')
    await strangersGuess('besieged')
    await strangersGuess('nobody-here')
    const real = await login('besieged', PASSWORD, HOME)
    const unknown = await login('nobody-here', PASSWORD, HOME)
    const unknownWithToken = await login('nobody-here', PASSWORD, HOME, { 'gatehouse-device': token })
    expect(real.statusCode).toBe(429)
    expect(observable(unknown)).toEqual(observable(real))
    expect(observable(unknownWithToken)).toEqual(observable(real))
  })

  it('finding 2: the /token password grant returns device_token and honours the Gatehouse-Device header', async () => {
    const grant = (headers: Record<string, string> = {}) =>
      testApp.app.inject({
        method: 'POST',
        url: '/token',
        remoteAddress: HOME,
        payload: new URLSearchParams({
          grant_type: 'password',
          username: 'besieged',
          password: PASSWORD,
        }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      })
    const first = await grant()
    expect(first.statusCode).toBe(200)
    const token = first.json<{ device_token: string }>().device_token
    expect(typeof token).toBe('string')
    expect(first.headers['set-cookie']).toBeUndefined()
    await strangersGuess('besieged')
    expect((await grant()).statusCode).toBe(429)
    expect((await grant({ 'gatehouse-device': token })).statusCode).toBe(200)
  })

  it('finding 2: a device token expires after 180 days', async () => {
    const token = await deviceTokenOf('besieged')
    testApp.clock.advanceSeconds(181 * 86_400)
    await strangersGuess('besieged')
    expect((await login('besieged', PASSWORD, HOME, { 'gatehouse-device': token })).statusCode).toBe(429)
  })
})

describe('the device cookie on an https deployment', () => {
  it('finding 2: is Secure when the public URL is https', async () => {
    const testApp = await createTestApp({ env: { GATEHOUSE_ISSUER: 'https://id.example.com' } })
    try {
      await registerUser(testApp.app, 'secure-user')
      const response = await testApp.app.inject({
        method: 'POST',
        url: '/login',
        payload: { username: 'secure-user', password: PASSWORD },
      })
      const cookie = String(response.headers['set-cookie'])
      expect(cookie).toMatch(/^gatehouse_device=/)
      for (const attribute of ['HttpOnly', 'SameSite=Strict', 'Secure', 'Path=/login']) {
        expect(cookie.split('; ')).toContain(attribute)
      }
    } finally {
      await testApp.close()
    }
  })
})
