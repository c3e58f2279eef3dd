import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createVerifier, type VerifierOptions } from '../src/index.ts'
import {
  createTestKey,
  defined,
  listen,
  readBody,
  signTestToken,
  sleep,
  startJwksServer,
  TEST_AUDIENCE,
  TEST_ISSUER,
  type JwksServer,
  type TestKey,
  codeOf,
} from './support.ts'

// A stand-in for Gatehouse's /introspect (RFC 7662), which another change builds; the real
// endpoint still needs a test of its own against this client.

interface FakeIntrospection {
  url: string
  calls: Array<{ authorization: string | undefined; contentType: string | undefined; form: URLSearchParams }>
  inactive: Set<string>
  status: number
  close(): Promise<void>
}

async function startFakeIntrospection(): Promise<FakeIntrospection> {
  const state = { calls: [] as FakeIntrospection['calls'], inactive: new Set<string>(), status: 200 }
  const server = await listen((request, response) => {
    void readBody(request).then((body) => {
      const form = new URLSearchParams(body)
      state.calls.push({
        authorization: request.headers.authorization,
        contentType: request.headers['content-type'],
        form,
      })
      if (state.status !== 200) {
        response.writeHead(state.status).end()
        return
      }
      const active = !state.inactive.has(form.get('token') ?? '')
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(active ? { active } : { active: false }))
    })
  })
  return Object.assign(state, { url: `${server.url}/introspect`, close: () => server.close() })
}

describe('introspect mode', () => {
  let key: TestKey
  let jwks: JwksServer
  let introspection: FakeIntrospection
  let options: VerifierOptions

  beforeEach(async () => {
    key = await createTestKey()
    jwks = await startJwksServer([key.publicJwk])
    introspection = await startFakeIntrospection()
    options = {
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      jwksUri: jwks.jwksUri,
      introspect: { url: introspection.url, clientId: 'orders api', clientSecret: 's3cret:with/odd+chars' },
    }
  })
  afterEach(async () => {
    await Promise.all([jwks.close(), introspection.close()])
  })

  it('posts the token with Basic client credentials and accepts active: true', async () => {
    const token = await signTestToken(key)
    expect((await createVerifier(options).verify(token)).sub).toBe('user-1')
    expect(introspection.calls).toHaveLength(1)
    const call = defined(introspection.calls[0])
    expect(call.contentType).toBe('application/x-www-form-urlencoded')
    expect(call.form.get('token')).toBe(token)
    // RFC 6749 §2.3.1: each part is form-urlencoded before the Basic encoding.
    const decoded = Buffer.from(defined(call.authorization).replace(/^Basic /, ''), 'base64').toString()
    expect(decoded).toBe('orders+api:s3cret%3Awith%2Fodd%2Bchars')
  })

  it('refuses a token the server calls inactive, with token_inactive', async () => {
    const token = await signTestToken(key)
    introspection.inactive.add(token)
    expect(await codeOf(createVerifier(options).verify(token))).toBe('token_inactive')
  })

  it('never asks about a token that fails local verification', async () => {
    const token = await signTestToken(key, {
      iss: 'https://other.example',
      sub: 'x',
      exp: 2e9,
      iat: 1,
      jti: 'j',
      client_id: 'c',
      aud: TEST_AUDIENCE,
    })
    expect(await codeOf(createVerifier(options).verify(token))).toBe('wrong_issuer')
    expect(introspection.calls).toHaveLength(0)
  })

  it('caches positive and negative answers for the TTL, then asks again', async () => {
    const verifier = createVerifier({
      ...options,
      introspect: { ...defined(options.introspect), cacheTtlMs: 100 },
    })
    const active = await signTestToken(key)
    const revoked = await signTestToken(key)
    introspection.inactive.add(revoked)
    for (let round = 0; round < 3; round++) {
      expect(await codeOf(verifier.verify(active))).toBe('accepted')
      expect(await codeOf(verifier.verify(revoked))).toBe('token_inactive')
    }
    expect(introspection.calls).toHaveLength(2)
    // A logout is seen once the cached answer expires.
    introspection.inactive.add(active)
    await sleep(120)
    expect(await codeOf(verifier.verify(active))).toBe('token_inactive')
    expect(introspection.calls).toHaveLength(3)
  })

  it('shares one call among concurrent requests with the same token', async () => {
    const verifier = createVerifier(options)
    const token = await signTestToken(key)
    await verifier.verify(token) // warm the JWKS so only introspection is concurrent
    introspection.calls.length = 0
    const other = await signTestToken(key)
    await Promise.all(Array.from({ length: 20 }, () => verifier.verify(other)))
    expect(introspection.calls).toHaveLength(1)
  })

  it('asks every time when the TTL is 0', async () => {
    const verifier = createVerifier({
      ...options,
      introspect: { ...defined(options.introspect), cacheTtlMs: 0 },
    })
    const token = await signTestToken(key)
    await verifier.verify(token)
    await verifier.verify(token)
    expect(introspection.calls).toHaveLength(2)
  })

  it('fails closed with introspection_unavailable when the endpoint errors or is down', async () => {
    introspection.status = 401
    const token = await signTestToken(key)
    expect(await codeOf(createVerifier(options).verify(token))).toBe('introspection_unavailable')
    const down = createVerifier({
      ...options,
      introspect: { ...defined(options.introspect), url: 'http://127.0.0.1:1/introspect' },
    })
    expect(await codeOf(down.verify(token))).toBe('introspection_unavailable')
  })
})
