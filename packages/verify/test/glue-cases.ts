import { afterAll, beforeAll, expect, it } from 'vitest'
import type { TestApp } from '../../../test/helpers/app.ts'
import { createVerifier, type Verifier } from '../src/index.ts'
import { loginOverHttp, startGatehouse, TEST_AUDIENCE, TEST_ISSUER } from './support.ts'

/** A tiny resource server under test: GET /me needs a token, GET /admin needs role admin. */
export interface ResourceServer {
  url: string
  close(): Promise<void>
}

/** Starts a resource server that protects its routes with the given verifier. */
export type StartResourceServer = (verifier: Verifier) => Promise<ResourceServer>

/**
 * The RFC 6750 behaviour both framework integrations must share, run against a real Gatehouse.
 * Call inside a describe block.
 */
export function resourceServerCases(start: StartResourceServer): void {
  let gatehouse: TestApp & { baseUrl: string }
  let api: ResourceServer
  let unreachableApi: ResourceServer
  let userToken: string
  let adminToken: string

  beforeAll(async () => {
    gatehouse = await startGatehouse({
      GATEHOUSE_ADMIN_USERNAME: 'root',
      GATEHOUSE_ADMIN_PASSWORD: 'correct horse battery staple',
    })
    userToken = await loginOverHttp(gatehouse.baseUrl, 'glue-user')
    adminToken = await loginOverHttp(gatehouse.baseUrl, 'root', false)
    const jwksUri = `${gatehouse.baseUrl}/.well-known/jwks.json`
    api = await start(createVerifier({ issuer: TEST_ISSUER, audience: TEST_AUDIENCE, jwksUri }))
    unreachableApi = await start(
      createVerifier({
        issuer: TEST_ISSUER,
        audience: TEST_AUDIENCE,
        jwksUri: 'http://127.0.0.1:1/jwks.json',
      }),
    )
  })
  afterAll(async () => {
    await Promise.all([api.close(), unreachableApi.close()])
    await gatehouse.close()
  })

  const get = (server: ResourceServer, path: string, authorization?: string) =>
    fetch(`${server.url}${path}`, { headers: authorization ? { authorization } : {} })

  it('answers 200 with the claims for a valid token', async () => {
    const response = await get(api, '/me', `Bearer ${userToken}`)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ role: 'user', iss: TEST_ISSUER })
  })

  it('accepts the scheme name in any case (RFC 7235 §2.1)', async () => {
    expect((await get(api, '/me', `bearer ${userToken}`)).status).toBe(200)
  })

  it('answers 401 with a bare Bearer challenge when no token is sent', async () => {
    const response = await get(api, '/me')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer')
  })

  it('ignores tokens in the query string and other schemes', async () => {
    const query = await fetch(`${api.url}/me?access_token=${userToken}`)
    expect(query.status).toBe(401)
    expect(query.headers.get('www-authenticate')).toBe('Bearer')
    const basic = await get(api, '/me', 'Basic dXNlcjpwYXNz')
    expect(basic.status).toBe(401)
    expect(basic.headers.get('www-authenticate')).toBe('Bearer')
  })

  it('answers 401 invalid_token with a description for a bad token', async () => {
    const [header, payload] = userToken.split('.')
    const response = await get(api, '/me', `Bearer ${header}.${payload}.AAAA`)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token", error_description="The access token signature is invalid"',
    )
    expect(await response.json()).toEqual({
      error: 'invalid_token',
      error_description: 'The access token signature is invalid',
    })
  })

  it('answers 403 insufficient_scope when the role is missing', async () => {
    const response = await get(api, '/admin', `Bearer ${userToken}`)
    expect(response.status).toBe(403)
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="insufficient_scope"/)
  })

  it('lets the role through', async () => {
    const response = await get(api, '/admin', `Bearer ${adminToken}`)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ role: 'admin' })
  })

  it('answers 503, not 401, when Gatehouse cannot be reached', async () => {
    const response = await get(unreachableApi, '/me', `Bearer ${userToken}`)
    expect(response.status).toBe(503)
    expect(response.headers.get('www-authenticate')).toBeNull()
  })
}
