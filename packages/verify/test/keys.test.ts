import { SignJWT, UnsecuredJWT } from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createVerifier, type Verifier } from '../src/index.ts'
import {
  createTestKey,
  gatehouseClaims,
  signRawEdDsaToken,
  signTestToken,
  sleep,
  startJwksServer,
  TEST_AUDIENCE,
  TEST_ISSUER,
  type JwksServer,
  type TestKey,
  codeOf,
} from './support.ts'

describe('tokens signed with our own keys, served from our own JWKS', () => {
  let key: TestKey
  let jwks: JwksServer
  let verifier: Verifier
  const now = () => Math.floor(Date.now() / 1000)

  beforeEach(async () => {
    key = await createTestKey('EdDSA')
    jwks = await startJwksServer([key.publicJwk])
    verifier = createVerifier({
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      jwksUri: jwks.jwksUri,
      cooldownMs: 100,
    })
  })
  afterEach(async () => {
    await jwks.close()
  })

  it.each(['EdDSA', 'ES256', 'RS256'] as const)('accepts %s', async (alg) => {
    const other = await createTestKey(alg)
    jwks.keys.push(other.publicJwk)
    const fresh = createVerifier({ issuer: TEST_ISSUER, audience: TEST_AUDIENCE, jwksUri: jwks.jwksUri })
    expect((await fresh.verify(await signTestToken(other))).sub).toBe('user-1')
  })

  it('accepts an audience list that contains ours', async () => {
    const token = await signTestToken(key, gatehouseClaims({ aud: ['billing', TEST_AUDIENCE] }))
    expect(await codeOf(verifier.verify(token))).toBe('accepted')
  })

  it('enforces exp, nbf and iat with the leeway', async () => {
    const sign = (claims: Record<string, number>) => signTestToken(key, gatehouseClaims(claims))
    expect(await codeOf(verifier.verify(await sign({ iat: now() - 600, exp: now() - 31 })))).toBe(
      'token_expired',
    )
    expect(await codeOf(verifier.verify(await sign({ iat: now() - 600, exp: now() - 10 })))).toBe('accepted')
    expect(await codeOf(verifier.verify(await sign({ nbf: now() + 60 })))).toBe('token_not_yet_valid')
    expect(await codeOf(verifier.verify(await sign({ iat: now() + 60, exp: now() + 600 })))).toBe(
      'token_not_yet_valid',
    )
    expect(await codeOf(verifier.verify(await sign({ iat: now() + 10 })))).toBe('accepted')
    const strict = createVerifier({
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      jwksUri: jwks.jwksUri,
      clockToleranceSeconds: 0,
    })
    expect(await codeOf(strict.verify(await sign({ iat: now() - 600, exp: now() - 10 })))).toBe(
      'token_expired',
    )
  })

  it('requires typ at+jwt', async () => {
    expect(await codeOf(verifier.verify(await signTestToken(key, gatehouseClaims(), { typ: 'JWT' })))).toBe(
      'wrong_type',
    )
    expect(
      await codeOf(verifier.verify(await signTestToken(key, gatehouseClaims(), { typ: undefined }))),
    ).toBe('wrong_type')
    expect(
      await codeOf(
        verifier.verify(await signTestToken(key, gatehouseClaims(), { typ: 'application/at+jwt' })),
      ),
    ).toBe('accepted')
  })

  it.each(['sub', 'exp', 'iat', 'jti', 'client_id'])('requires the %s claim', async (claim) => {
    const claims = gatehouseClaims()
    delete claims[claim]
    expect(await codeOf(verifier.verify(await signTestToken(key, claims)))).toBe('token_malformed')
  })

  it('refuses alg none in any spelling, and HS256', async () => {
    const unsecured = new UnsecuredJWT(gatehouseClaims()).encode()
    expect(await codeOf(verifier.verify(`${unsecured}AAAA`))).toBe('unsupported_alg')
    const [, payload] = unsecured.split('.')
    for (const alg of ['none', 'None', 'NONE']) {
      const header = Buffer.from(JSON.stringify({ alg, typ: 'at+jwt', kid: key.kid })).toString('base64url')
      expect(await codeOf(verifier.verify(`${header}.${payload}.AAAA`))).toBe('unsupported_alg')
    }
    const hs256 = await new SignJWT(gatehouseClaims())
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: key.kid })
      .sign(new TextEncoder().encode('a-secret-that-is-at-least-32-bytes-long'))
    expect(await codeOf(verifier.verify(hs256))).toBe('unsupported_alg')
  })

  it('refuses a token whose alg does not match its key (algorithm confusion)', async () => {
    const ecKey = await createTestKey('ES256')
    const confused = await signTestToken({ ...ecKey, kid: key.kid }, gatehouseClaims())
    expect(await codeOf(verifier.verify(confused))).toBe('unsupported_alg')
  })

  it('refuses a signature made by another key under a known kid', async () => {
    const impostor = await createTestKey('EdDSA')
    expect(await codeOf(verifier.verify(await signTestToken({ ...impostor, kid: key.kid })))).toBe(
      'invalid_signature',
    )
  })

  it.each([
    ['jku', 'https://attacker.example/jwks.json'],
    ['x5u', 'https://attacker.example/cert.pem'],
    ['x5c', ['MIIB']],
    ['jwk', { kty: 'OKP', crv: 'Ed25519', x: 'AAAA' }],
  ])('never trusts the %s header', async (name, value) => {
    const before = jwks.requests
    expect(
      await codeOf(verifier.verify(await signTestToken(key, gatehouseClaims(), { [name]: value }))),
    ).toBe('token_malformed')
    expect(jwks.requests).toBe(before)
  })

  it('refuses crit extensions it does not understand, even the ones jose knows', async () => {
    const withCrit = (header: Record<string, unknown>) => signRawEdDsaToken(key, header, gatehouseClaims())
    expect(await codeOf(verifier.verify(withCrit({})))).toBe('accepted')
    expect(await codeOf(verifier.verify(withCrit({ crit: ['exp'], exp: 1 })))).toBe('token_malformed')
    expect(await codeOf(verifier.verify(withCrit({ crit: ['b64'], b64: true })))).toBe('token_malformed')
  })

  it('refetches once for an unknown kid, then says unknown_key; the cooldown stops a storm', async () => {
    await verifier.verify(await signTestToken(key))
    expect(jwks.requests).toBe(1)
    const stranger = await createTestKey('EdDSA')
    // Within the cooldown, unknown kids are refused from the cache without a fetch.
    const storm = await Promise.all(
      Array.from({ length: 50 }, async () => codeOf(verifier.verify(await signTestToken(stranger)))),
    )
    expect(new Set(storm)).toEqual(new Set(['unknown_key']))
    expect(jwks.requests).toBe(1)
    await sleep(120)
    // After it, a burst of unknown kids shares a single refetch.
    const burst = await Promise.all(
      Array.from({ length: 50 }, async () => codeOf(verifier.verify(await signTestToken(stranger)))),
    )
    expect(new Set(burst)).toEqual(new Set(['unknown_key']))
    expect(jwks.requests).toBe(2)
  })

  it('picks up a rotated key mid-test without a restart', async () => {
    await verifier.verify(await signTestToken(key))
    const next = await createTestKey('ES256')
    jwks.keys.push(next.publicJwk)
    await sleep(120)
    expect((await verifier.verify(await signTestToken(next))).sub).toBe('user-1')
    expect(await codeOf(verifier.verify(await signTestToken(key)))).toBe('accepted')
    expect(jwks.requests).toBe(2)
  })

  it('says jwks_unavailable when the JWKS cannot be fetched', async () => {
    jwks.failWith = 500
    expect(await codeOf(verifier.verify(await signTestToken(key)))).toBe('jwks_unavailable')
    const unreachable = createVerifier({
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      jwksUri: 'http://127.0.0.1:1/jwks.json',
    })
    expect(await codeOf(unreachable.verify(await signTestToken(key)))).toBe('jwks_unavailable')
  })
})
