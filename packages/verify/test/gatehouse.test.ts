import { decodeProtectedHeader } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestApp } from '../../../test/helpers/app.ts'
import { createVerifier } from '../src/index.ts'
import {
  codeOf,
  fetchVia,
  loginOverHttp,
  sleep,
  startGatehouse,
  TEST_AUDIENCE,
  TEST_ISSUER,
} from './support.ts'

describe('verifying tokens from a real Gatehouse over HTTP', () => {
  let gatehouse: TestApp & { baseUrl: string }
  let token: string
  let jwksUri: string

  beforeAll(async () => {
    gatehouse = await startGatehouse()
    token = await loginOverHttp(gatehouse.baseUrl, 'verify-alice')
    jwksUri = `${gatehouse.baseUrl}/.well-known/jwks.json`
  })
  afterAll(async () => {
    await gatehouse.close()
  })

  it('accepts a fresh token and returns its claims', async () => {
    const verifier = createVerifier({ issuer: TEST_ISSUER, audience: TEST_AUDIENCE, jwksUri })
    const claims = await verifier.verify(token)
    expect(claims).toMatchObject({
      iss: TEST_ISSUER,
      aud: TEST_AUDIENCE,
      client_id: 'gatehouse',
      role: 'user',
    })
    expect(claims.sub).toMatch(/\S/)
    expect(claims.sub).not.toBe('verify-alice')
    expect(claims.exp).toBeGreaterThan(claims.iat)
  })

  it('refuses a token for another issuer or audience', async () => {
    const otherIssuer = createVerifier({ issuer: 'https://other.example', audience: TEST_AUDIENCE, jwksUri })
    const otherAudience = createVerifier({ issuer: TEST_ISSUER, audience: 'billing', jwksUri })
    expect(await codeOf(otherIssuer.verify(token))).toBe('wrong_issuer')
    expect(await codeOf(otherAudience.verify(token))).toBe('wrong_audience')
  })

  it('refuses missing, malformed and tampered tokens', async () => {
    const verifier = createVerifier({ issuer: TEST_ISSUER, audience: TEST_AUDIENCE, jwksUri })
    expect(await codeOf(verifier.verify(undefined))).toBe('token_missing')
    expect(await codeOf(verifier.verify(''))).toBe('token_missing')
    expect(await codeOf(verifier.verify('not-a-jwt'))).toBe('token_malformed')
    expect(await codeOf(verifier.verify(`${token}=`))).toBe('token_malformed')
    const [header, payload, signature] = token.split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>
    const forged = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url')
    expect(await codeOf(verifier.verify(`${header}.${forged}.${signature}`))).toBe('invalid_signature')
  })

  it('discovers the JWKS from the metadata when no jwksUri is given, once', async () => {
    const counter = { urls: [] as string[] }
    const verifier = createVerifier({
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      fetch: fetchVia(gatehouse.baseUrl, counter),
    })
    await verifier.verify(token)
    await verifier.verify(token)
    expect(counter.urls).toEqual([
      `${gatehouse.baseUrl}/.well-known/oauth-authorization-server`,
      `${gatehouse.baseUrl}/.well-known/jwks.json`,
    ])
  })

  it('refuses metadata that names another issuer (RFC 8414 §3.3 mix-up)', async () => {
    const verifier = createVerifier({
      issuer: 'http://gatehouse.test/',
      audience: TEST_AUDIENCE,
      fetch: fetchVia(gatehouse.baseUrl),
    })
    expect(await codeOf(verifier.verify(token))).toBe('jwks_unavailable')
  })

  it('picks up a key Gatehouse rotated to, without a restart, and keeps the old one', async () => {
    const verifier = createVerifier({ issuer: TEST_ISSUER, audience: TEST_AUDIENCE, jwksUri, cooldownMs: 50 })
    await verifier.verify(token)
    const oldKid = decodeProtectedHeader(token).kid
    // The newest key signs; a second later makes "newest" unambiguous on a clock that stands still.
    gatehouse.clock.advanceSeconds(1)
    await gatehouse.app.services.keys.createKey('ES256', gatehouse.clock.now())
    await gatehouse.app.services.keys.reload()
    const rotatedToken = await loginOverHttp(gatehouse.baseUrl, 'verify-alice', false)
    expect(decodeProtectedHeader(rotatedToken).kid).not.toBe(oldKid)
    await sleep(60)
    expect((await verifier.verify(rotatedToken)).sub).toBe((await verifier.verify(token)).sub)
  })
})

describe('a Gatehouse in HS256 compatibility mode', () => {
  let gatehouse: TestApp & { baseUrl: string }
  beforeAll(async () => {
    gatehouse = await startGatehouse({
      GATEHOUSE_JWT_ALG: 'HS256',
      GATEHOUSE_HS256_SECRET: 'hs256-secret-that-is-long-enough-0123456789',
    })
  })
  afterAll(async () => {
    await gatehouse.close()
  })

  it('issues tokens a resource server cannot verify, and says so with unsupported_alg', async () => {
    const token = await loginOverHttp(gatehouse.baseUrl, 'verify-hs256')
    expect(decodeProtectedHeader(token).alg).toBe('HS256')
    const verifier = createVerifier({
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      jwksUri: `${gatehouse.baseUrl}/.well-known/jwks.json`,
    })
    expect(await codeOf(verifier.verify(token))).toBe('unsupported_alg')
  })
})
