import { describe, expect, it } from 'vitest'
import {
  attemptIntrospection,
  attemptRegister,
  basicAuthorization,
  refresh,
  registerUser,
} from '../helpers/api.ts'
import { closedAfterEach } from '../helpers/hooks.ts'
import { STORES } from '../helpers/stores.ts'
import { PASSWORD } from '../helpers/users.ts'

const CLIENT = { id: 'resource-server', secret: 'resource-server-secret-0123' }
const basic = (secret: string) => basicAuthorization(CLIENT.id, secret)

describe.each(STORES)('per-IP limits on $name', (variant) => {
  const fresh = closedAfterEach()
  const start = (env: Record<string, string> = {}) =>
    fresh.app({ dialect: variant.dialect, env: { ...variant.env(), ...env } })

  it('limits registrations per IP per hour (GATEHOUSE_REGISTER_PER_IP_PER_HOUR), taken names included', async () => {
    const testApp = await start({ GATEHOUSE_REGISTER_PER_IP_PER_HOUR: '3' })
    const attempt = (username: string) => attemptRegister(testApp.app, username)
    expect((await attempt('r1')).headers['ratelimit-remaining']).toBe('2')
    expect((await attempt('r1')).statusCode).toBe(409)
    expect((await attempt('r2')).statusCode).toBe(201)
    const refused = await attempt('r3')
    expect(refused.statusCode).toBe(429)
    expect(refused.headers['ratelimit-limit']).toBe('3')
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    // Another address is not affected, and the next hour starts afresh.
    const elsewhere = await attemptRegister(testApp.app, 'r4', PASSWORD, { remoteAddress: '192.0.2.10' })
    expect(elsewhere.statusCode).toBe(201)
    testApp.clock.advanceSeconds(3600)
    expect((await attempt('r5')).statusCode).toBe(201)
  })

  it('throttles an IP that keeps presenting invalid refresh tokens', async () => {
    const { app } = await start()
    for (let i = 0; i < 50; i++) expect((await refresh(app, `guess-${i}`)).statusCode).toBe(400)
    const refused = await refresh(app, 'guess-50')
    expect(refused.statusCode).toBe(429)
    expect(refused.json()).toMatchObject({ error: 'invalid_grant' })
    expect(refused.headers['ratelimit-remaining']).toBe('0')
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
  })

  it('throttles an IP that keeps failing introspection (bad client secret or inactive tokens)', async () => {
    const { app } = await start({ GATEHOUSE_INTROSPECTION_CLIENTS: `${CLIENT.id}:${CLIENT.secret}` })
    await registerUser(app, 'introspected')
    const introspect = (authorization: string) => attemptIntrospection(app, 'not-a-token', authorization)
    for (let i = 0; i < 100; i++)
      expect((await introspect(basic('wrong-secret-guess-00'))).statusCode).toBe(401)
    for (let i = 0; i < 100; i++)
      expect((await introspect(basic(CLIENT.secret))).json()).toEqual({ active: false })
    const refused = await introspect(basic(CLIENT.secret))
    expect(refused.statusCode).toBe(429)
    expect(refused.headers['ratelimit-limit']).toBe('200')
  })
})
