import { describe, expect, it } from 'vitest'
import { createTestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { useTestApp } from '../helpers/hooks.ts'

describe.each(DIALECTS)('passkey sign-in options on %s', (dialect) => {
  const testApp = useTestApp(() => createTestApp({ dialect }), 'test')
  const options = (payload: object, remoteAddress = '203.0.113.7') =>
    testApp.app.inject({ method: 'POST', url: '/webauthn/login/options', payload, remoteAddress })

  it('issues a fresh, stored, single-use challenge each time, hashed at rest, with no account named', async () => {
    const first = await options({})
    const second = await options({})
    expect(first.statusCode, first.body).toBe(200)
    const challenges = [first, second].map((response) => response.json<{ challenge: string }>().challenge)
    expect(challenges[0]).not.toBe(challenges[1])
    expect(challenges[0]).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(first.json()).toMatchObject({ rpId: 'gatehouse.test', userVerification: 'required' })
    const rows = await testApp.app.services.db.selectFrom('webauthn_challenges').selectAll().execute()
    expect(rows).toHaveLength(2)
    for (const row of rows) {
      expect(row.user_id).toBeNull()
      expect(JSON.stringify(row)).not.toContain(challenges[0])
    }
    // An unknown mfa_token gets nothing.
    expect((await options({ mfa_token: 'not-a-token' })).statusCode).toBe(401)
  })

  it('counts challenges per IP: a script cannot fill the table (429 past 100 a window)', async () => {
    for (let request = 0; request < 100; request += 1) {
      expect((await options({})).statusCode).toBe(200)
    }
    const refused = await options({})
    expect(refused.statusCode).toBe(429)
    expect(refused.headers['retry-after']).toBeDefined()
    expect((await options({}, '198.51.100.9')).statusCode).toBe(200)
  })
})
