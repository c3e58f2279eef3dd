import { describe, expect, it } from 'vitest'
import { registerUser } from '../helpers/api.ts'
import type { TestServer } from '../helpers/app.ts'
import { closedAfterEach } from '../helpers/hooks.ts'
import { postFrom } from '../helpers/http.ts'
import { STORES } from '../helpers/stores.ts'
import { PASSWORD } from '../helpers/users.ts'

// Real sockets from different loopback addresses, so the server sees genuinely different clients.
// Threshold 3, backoff 1, 2, 4, 8 s: the cap is reached at the 6th failure.
const ENV = {
  GATEHOUSE_LOGIN_MAX_FAILURES: '3',
  GATEHOUSE_LOGIN_WINDOW: '600',
  GATEHOUSE_LOGIN_MAX_BACKOFF: '8',
}
const WRONG = 'not the right password'

describe.each(STORES)('login throttling by source address on $name', (variant) => {
  const fresh = closedAfterEach()
  let server: TestServer

  async function start(env: Record<string, string> = {}) {
    server = await fresh.server({ dialect: variant.dialect, env: { ...ENV, ...variant.env(), ...env } })
    await registerUser(server.app, 'victim')
    return server
  }
  const loginFrom = (address: string, password: string, headers: Record<string, string> = {}) =>
    postFrom(server.baseUrl, address, '/login', { username: 'victim', password }, headers)

  /** Six failures from one attacker address, waiting out each backoff on the injected clock: the cap. */
  async function driveToCap(attacker: string, beforeCap?: () => Promise<void>) {
    for (let i = 0; i < 3; i++) expect((await loginFrom(attacker, WRONG)).status).toBe(401)
    for (const wait of [1, 2, 4]) {
      server.clock.advanceSeconds(wait)
      expect((await loginFrom(attacker, WRONG)).status).toBe(401)
      if (wait === 2) await beforeCap?.()
    }
  }

  it('throttles the account across many source addresses', async () => {
    await start()
    for (const address of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) {
      expect((await loginFrom(address, WRONG)).status).toBe(401)
    }
    const fromFifth = await loginFrom('127.0.0.5', PASSWORD)
    expect(fromFifth.status).toBe(429)
    expect(fromFifth.headers['retry-after']).toBe('1')
  })

  it('refuses every address below the cap; at the cap a fresh address may still log in, the attacker may not', async () => {
    await start()
    await driveToCap('127.0.0.2', async () => {
      // Five failures, a 4 s block: the account-wide block still holds for everyone.
      expect((await loginFrom('127.0.0.3', PASSWORD)).status).toBe(429)
    })
    const attacker = await loginFrom('127.0.0.2', PASSWORD)
    expect(attacker.status).toBe(429)
    expect(attacker.headers['retry-after']).toBe('8')
    expect((await loginFrom('127.0.0.4', PASSWORD)).status).toBe(200)
  })

  it('ignores a spoofed X-Forwarded-For without GATEHOUSE_TRUST_PROXY', async () => {
    await start()
    await driveToCap('127.0.0.2')
    // Claiming to be a fresh address does not make the attacker one.
    const spoofed = await loginFrom('127.0.0.2', PASSWORD, { 'x-forwarded-for': '203.0.113.9' })
    expect(spoofed.status).toBe(429)
  })

  it('reads the client from X-Forwarded-For, one hop deep, with GATEHOUSE_TRUST_PROXY=1', async () => {
    await start({ GATEHOUSE_TRUST_PROXY: '1' })
    // The proxy (127.0.0.2) appends the attacker's real address; only the last entry is trusted.
    const viaProxy = (client: string) => ({ 'x-forwarded-for': `198.51.100.77, ${client}` })
    for (let i = 0; i < 3; i++) {
      expect((await loginFrom('127.0.0.2', WRONG, viaProxy('203.0.113.1'))).status).toBe(401)
    }
    for (const wait of [1, 2, 4]) {
      server.clock.advanceSeconds(wait)
      expect((await loginFrom('127.0.0.2', WRONG, viaProxy('203.0.113.1'))).status).toBe(401)
    }
    expect((await loginFrom('127.0.0.2', PASSWORD, viaProxy('203.0.113.1'))).status).toBe(429)
    // The same proxy socket, another client behind it: a fresh address at the cap.
    expect((await loginFrom('127.0.0.2', PASSWORD, viaProxy('203.0.113.2'))).status).toBe(200)
  })
})
