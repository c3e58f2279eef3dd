import type { LightMyRequestResponse } from 'fastify'
import { beforeEach, describe, expect, it } from 'vitest'
import type { PasswordHasher } from '../../src/services/passwords.ts'
import { attemptLogin, passwordGrant, registerUser } from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { setUserDisabledAt } from '../helpers/rows.ts'
import { STORES } from '../helpers/stores.ts'
import { PASSWORD } from '../helpers/users.ts'

// Threshold 3, backoff 1, 2, 4, 8 s (the cap), window 10 minutes; the clock is the test's ManualClock.
const ENV = {
  GATEHOUSE_LOGIN_MAX_FAILURES: '3',
  GATEHOUSE_LOGIN_WINDOW: '600',
  GATEHOUSE_LOGIN_MAX_BACKOFF: '8',
}
const WRONG = 'not the right password'

/** Status, body and every header but Date: what a client (or an attacker) can compare. */
function observable(response: LightMyRequestResponse) {
  // The date and the request id differ on every response by design.
  const { date: _date, 'x-request-id': _requestId, ...headers } = response.headers
  return { status: response.statusCode, body: response.body, headers }
}

/** Counts real password checks (and dummy ones) by wrapping the app's hasher. */
function countVerifies(passwords: PasswordHasher): { real: number; dummy: number } {
  const counts = { real: 0, dummy: 0 }
  const mutable = passwords as { -readonly [K in keyof PasswordHasher]: PasswordHasher[K] }
  const verify = passwords.verify.bind(passwords)
  const verifyDummy = passwords.verifyDummy.bind(passwords)
  mutable.verify = async (hash, password) => {
    counts.real += 1
    return verify(hash, password)
  }
  mutable.verifyDummy = async (password) => {
    counts.dummy += 1
    return verifyDummy(password)
  }
  return counts
}

describe.each(STORES)('login throttling on $name', (variant) => {
  const testApp = useTestApp(
    () => createTestApp({ dialect: variant.dialect, env: { ...ENV, ...variant.env() } }),
    'test',
  )
  beforeEach(async () => {
    expect(testApp.app.services.throttles.store).toBe(variant.store)
    await registerUser(testApp.app, 'victim')
  })

  it('answers 401 up to the threshold with RateLimit headers, then 429 even for the right password', async () => {
    const { app } = testApp
    for (const remaining of ['2', '1', '0']) {
      const response = await attemptLogin(app, 'victim', WRONG)
      expect(response.statusCode).toBe(401)
      expect(response.headers['ratelimit-limit']).toBe('3')
      expect(response.headers['ratelimit-remaining']).toBe(remaining)
      expect(Number(response.headers['ratelimit-reset'])).toBeGreaterThan(0)
    }
    const throttled = await attemptLogin(app, 'victim', PASSWORD)
    expect(throttled.statusCode).toBe(429)
    expect(throttled.headers['retry-after']).toBe('1')
    expect(throttled.headers['ratelimit-remaining']).toBe('0')
    expect(throttled.json()).toEqual({
      detail: 'Too many failed login attempts; try again later',
      code: 'too_many_requests',
    })
  })

  it('counts /login and the /token password grant together', async () => {
    const { app } = testApp
    expect((await attemptLogin(app, 'victim', WRONG)).statusCode).toBe(401)
    expect((await passwordGrant(app, 'victim', WRONG)).statusCode).toBe(400)
    expect((await attemptLogin(app, 'Victim', WRONG)).statusCode).toBe(401) // the canonical name is the key
    const viaToken = await passwordGrant(app, 'victim', PASSWORD)
    expect(viaToken.statusCode).toBe(429)
    expect(viaToken.headers['retry-after']).toBe('1')
    expect(viaToken.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'Too many failed login attempts; try again later',
    })
    expect((await attemptLogin(app, 'victim', PASSWORD)).statusCode).toBe(429)
  })

  it('resets the account after a success', async () => {
    const { app } = testApp
    for (let i = 0; i < 2; i++) expect((await attemptLogin(app, 'victim', WRONG)).statusCode).toBe(401)
    expect((await attemptLogin(app, 'victim', PASSWORD)).statusCode).toBe(200)
    for (let i = 0; i < 3; i++) expect((await attemptLogin(app, 'victim', WRONG)).statusCode).toBe(401)
    expect((await attemptLogin(app, 'victim', WRONG)).statusCode).toBe(429)
  })

  it('backs off 1, 2, 4, 8, 8 s on the injected clock, and lets the right password in once it expires', async () => {
    const { app, clock } = testApp
    for (let i = 0; i < 3; i++) await attemptLogin(app, 'victim', WRONG)
    for (const wait of [1, 2, 4, 8, 8]) {
      const refused = await attemptLogin(app, 'victim', PASSWORD)
      expect(refused.statusCode).toBe(429)
      expect(refused.headers['retry-after']).toBe(String(wait))
      clock.advanceSeconds(wait - 1)
      expect((await attemptLogin(app, 'victim', PASSWORD)).statusCode).toBe(429)
      clock.advanceSeconds(1)
      expect((await attemptLogin(app, 'victim', WRONG)).statusCode).toBe(401)
    }
    clock.advanceSeconds(8)
    expect((await attemptLogin(app, 'victim', PASSWORD)).statusCode).toBe(200)
  })

  it('forgets failures when the window ends, without waiting in real time', async () => {
    const { app, clock } = testApp
    for (let i = 0; i < 3; i++) await attemptLogin(app, 'victim', WRONG)
    clock.advanceSeconds(600)
    expect((await attemptLogin(app, 'victim', WRONG)).headers['ratelimit-remaining']).toBe('2')
  })

  it('lets 50 parallel wrong passwords run at most threshold + 1 password checks', async () => {
    const { app } = testApp
    const verifies = countVerifies(app.services.passwords)
    const responses = await Promise.all(Array.from({ length: 50 }, () => attemptLogin(app, 'victim', WRONG)))
    const statuses = responses.map((response) => response.statusCode)
    expect(verifies.real + verifies.dummy).toBeLessThanOrEqual(3 + 1)
    expect(statuses.filter((status) => status === 401).length).toBe(verifies.real)
    expect(statuses.filter((status) => status === 429).length).toBe(50 - verifies.real)
  })

  it('bounds a parallel burst against an unknown name the same way (dummy checks)', async () => {
    const { app } = testApp
    const verifies = countVerifies(app.services.passwords)
    await Promise.all(Array.from({ length: 30 }, () => attemptLogin(app, 'nobody-here', WRONG)))
    expect(verifies.real).toBe(0)
    expect(verifies.dummy).toBeLessThanOrEqual(3 + 1)
  })

  it('lets 10 parallel logins with the right password all through', async () => {
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => attemptLogin(testApp.app, 'victim', PASSWORD)),
    )
    expect(responses.map((response) => response.statusCode)).toEqual(Array(10).fill(200))
  })

  it('answers unknown user, wrong password and disabled account identically, and throttled ones too', async () => {
    const { app } = testApp
    await registerUser(app, 'wrong-pw')
    const { id: disabledId } = await registerUser(app, 'disabled')
    await setUserDisabledAt(app, disabledId, testApp.clock.now())

    const unknown = observable(await attemptLogin(app, 'no-such-user', WRONG))
    const wrongPassword = observable(await attemptLogin(app, 'wrong-pw', WRONG))
    const disabled = observable(await attemptLogin(app, 'disabled', PASSWORD))
    expect(unknown.status).toBe(401)
    expect(wrongPassword).toEqual(unknown)
    expect(disabled).toEqual(unknown)

    // Throttled: an existing account with its right password, and names that do not exist.
    for (let i = 0; i < 2; i++) {
      await attemptLogin(app, 'wrong-pw', WRONG)
      await attemptLogin(app, 'no-such-user', WRONG)
      await attemptLogin(app, 'disabled', WRONG)
    }
    const throttledExisting = observable(await attemptLogin(app, 'wrong-pw', PASSWORD))
    const throttledUnknown = observable(await attemptLogin(app, 'no-such-user', PASSWORD))
    const throttledDisabled = observable(await attemptLogin(app, 'disabled', PASSWORD))
    expect(throttledExisting.status).toBe(429)
    expect(throttledUnknown).toEqual(throttledExisting)
    expect(throttledDisabled).toEqual(throttledExisting)
  })
})
