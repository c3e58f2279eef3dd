import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { getWithToken, loginToken, registerUser } from '../helpers/api.ts'
import { decodeToken, expectInvalidToken } from '../helpers/tokens.ts'
import { createTestApp } from '../helpers/app.ts'
import { LENIENT_LIMITS_ENV } from '../helpers/config.ts'

const HS256_SECRET = 'hs256-compatibility-secret-0123456789abcdef'
const TTL = 1800
const SKEW = 30

/**
 * Signs a payload given as raw JSON text with the server's HS256 secret: `1e309` cannot be written with
 * JSON.stringify (it has no Infinity), but a token can carry it, and JSON.parse reads it as Infinity.
 */
function signRawPayload(token: string, payloadJson: string): string {
  const [header] = token.split('.') as [string]
  const payload = Buffer.from(payloadJson, 'utf8').toString('base64url')
  const signature = createHmac('sha256', HS256_SECRET).update(`${header}.${payload}`).digest('base64url')
  return `${header}.${payload}.${signature}`
}

// Regression (issue 16, finding 3): with a valid HS256 signature, `exp: 1e309` (Infinity) and `exp: 1e308`
// were accepted: a token that never expires.
describe.each(DIALECTS)('unbounded times in tokens on %s', (dialect) => {
  let testApp: TestApp
  let token: string
  let claims: Record<string, unknown>
  beforeAll(async () => {
    testApp = await createTestApp({
      dialect,
      env: {
        ...LENIENT_LIMITS_ENV,
        GATEHOUSE_JWT_ALG: 'HS256',
        GATEHOUSE_HS256_SECRET: HS256_SECRET,
        GATEHOUSE_ACCESS_TOKEN_TTL: String(TTL),
        GATEHOUSE_CLOCK_SKEW: String(SKEW),
      },
    })
    await registerUser(testApp.app, 'time-user')
    token = await loginToken(testApp.app, 'time-user')
    claims = decodeToken(token).payload
  })
  afterAll(async () => {
    await testApp.close()
  })

  /** The token's own claims with some replaced by raw JSON number text, re-signed. */
  const withTimes = (times: Record<string, string>) => {
    const members = Object.entries(claims)
      .filter(([name]) => !(name in times))
      .map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`)
    for (const [name, text] of Object.entries(times)) members.push(`${JSON.stringify(name)}:${text}`)
    return signRawPayload(token, `{${members.join(',')}}`)
  }
  const profileStatus = async (bearer: string) =>
    (await getWithToken(testApp.app, '/profile', bearer)).statusCode

  it('accepts the re-signed original claims and the longest lifetime we issue (the controls)', async () => {
    const iat = claims.iat as number
    expect(await profileStatus(withTimes({}))).toBe(200)
    expect(await profileStatus(withTimes({ exp: String(iat + TTL + SKEW) }))).toBe(200)
  })

  it.each([
    ['exp: 1e309 (Infinity once parsed)', { exp: '1e309' }],
    ['exp: 1e308', { exp: '1e308' }],
    ['exp beyond iat + the access-token TTL + the skew', { exp: 'IAT_PLUS_TOO_LONG' }],
    ['iat: -1e309 (minus Infinity)', { iat: '-1e309' }],
    ['iat: 1e309', { iat: '1e309' }],
    ['iat in the far past', { iat: '0' }],
    ['nbf in the far past', { nbf: '0' }],
    ['nbf: -1e309', { nbf: '-1e309' }],
  ])('finding 3: refuses %s', async (_name, times: Record<string, string>) => {
    const iat = claims.iat as number
    const resolved = Object.fromEntries(
      Object.entries(times).map(([name, text]) => [
        name,
        text === 'IAT_PLUS_TOO_LONG' ? String(iat + TTL + SKEW + 1) : text,
      ]),
    )
    expectInvalidToken(await getWithToken(testApp.app, '/profile', withTimes(resolved)))
  })

  it('finding 3: refuses a token whose iat is older than a token can live, even with exp still ahead', async () => {
    const iat = claims.iat as number
    // Issued TTL + skew + 1 seconds before now, claiming to expire exactly TTL after that: an old token
    // whose exp was pushed forward would need a longer lifetime than we ever issue.
    testApp.clock.advanceSeconds(TTL)
    const stale = withTimes({ iat: String(iat - SKEW - 1), exp: String(iat - SKEW - 1 + TTL + SKEW) })
    expectInvalidToken(await getWithToken(testApp.app, '/profile', stale))
  })
})
