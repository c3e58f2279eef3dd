import { decodeJwt } from 'jose'
import { describe, expect, it } from 'vitest'
import { loginToken, registerUser } from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'
import { defined } from '../helpers/defined.ts'
import { useTestApp } from '../helpers/hooks.ts'

const METADATA_PATHS = ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']

describe('authorization server metadata (RFC 8414)', () => {
  const testApp = useTestApp(() => createTestApp())

  it.each(METADATA_PATHS)('%s lists every endpoint under the configured issuer', async (url) => {
    const response = await testApp.app.inject({ method: 'GET', url })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^application\/json/)
    expect(response.json()).toEqual({
      issuer: 'http://gatehouse.test',
      token_endpoint: 'http://gatehouse.test/token',
      jwks_uri: 'http://gatehouse.test/.well-known/jwks.json',
      revocation_endpoint: 'http://gatehouse.test/revoke',
      introspection_endpoint: 'http://gatehouse.test/introspect',
      grant_types_supported: [
        'password',
        'refresh_token',
        'urn:gatehouse:grant-type:mfa-otp',
        'urn:gatehouse:grant-type:mfa-recovery-code',
      ],
      response_types_supported: [],
      token_endpoint_auth_methods_supported: ['none'],
      revocation_endpoint_auth_methods_supported: ['none'],
      introspection_endpoint_auth_methods_supported: ['client_secret_basic'],
      access_token_signing_alg_values_supported: ['ES256'],
    })
  })

  it('serves the same document at both paths', async () => {
    const [first, second] = await Promise.all(
      METADATA_PATHS.map((url) => testApp.app.inject({ method: 'GET', url })),
    )
    expect(defined(first).body).toBe(defined(second).body)
  })

  it('names the issuer byte for byte as the tokens iss', async () => {
    await registerUser(testApp.app, 'metadata-user')
    const token = await loginToken(testApp.app, 'metadata-user')
    const metadata = (await testApp.app.inject({ method: 'GET', url: METADATA_PATHS[0] })).json<{
      issuer: string
    }>()
    expect(decodeJwt(token).iss).toBe(metadata.issuer)
  })

  it('lists the algorithm of every key in the JWKS', async () => {
    const jwks = (await testApp.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<{
      keys: Array<{ alg: string }>
    }>()
    const metadata = (await testApp.app.inject({ method: 'GET', url: METADATA_PATHS[0] })).json<{
      access_token_signing_alg_values_supported: string[]
    }>()
    expect(jwks.keys.length).toBeGreaterThan(0)
    for (const key of jwks.keys) expect(metadata.access_token_signing_alg_values_supported).toContain(key.alg)
  })

  it('ignores a spoofed Host and X-Forwarded-Host header', async () => {
    const response = await testApp.app.inject({
      method: 'GET',
      url: METADATA_PATHS[0],
      headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
    })
    expect(response.body).not.toContain('evil.example')
    expect(response.json<{ jwks_uri: string }>().jwks_uri).toBe('http://gatehouse.test/.well-known/jwks.json')
  })

  it('may be cached by anyone', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: METADATA_PATHS[1] })
    expect(response.headers['cache-control']).toMatch(/^public, max-age=\d+$/)
  })
})

describe('metadata with an issuer that has a path and a trailing slash', () => {
  const testApp = useTestApp(() =>
    createTestApp({ env: { GATEHOUSE_ISSUER: 'https://id.example.com/auth/' } }),
  )

  it('keeps the issuer verbatim and joins URLs without a double slash', async () => {
    const metadata = (await testApp.app.inject({ method: 'GET', url: METADATA_PATHS[0] })).json<
      Record<string, unknown>
    >()
    expect(metadata.issuer).toBe('https://id.example.com/auth/')
    expect(metadata.token_endpoint).toBe('https://id.example.com/auth/token')
    expect(metadata.jwks_uri).toBe('https://id.example.com/auth/.well-known/jwks.json')
    expect(metadata.revocation_endpoint).toBe('https://id.example.com/auth/revoke')
    expect(metadata.introspection_endpoint).toBe('https://id.example.com/auth/introspect')
  })
})

describe('metadata in HS256 compatibility mode', () => {
  const testApp = useTestApp(() =>
    createTestApp({
      env: {
        GATEHOUSE_JWT_ALG: 'HS256',
        GATEHOUSE_HS256_SECRET: 'hs256-secret-that-is-long-enough-0123456789',
      },
    }),
  )

  it('says tokens are HS256 while the JWKS publishes no secret', async () => {
    const metadata = (await testApp.app.inject({ method: 'GET', url: METADATA_PATHS[0] })).json<{
      access_token_signing_alg_values_supported: string[]
    }>()
    expect(metadata.access_token_signing_alg_values_supported).toEqual(['HS256'])
    const jwks = (await testApp.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<{
      keys: unknown[]
    }>()
    expect(jwks.keys).toEqual([])
  })
})
