import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestApp } from '../../../test/helpers/app.ts'
import { createVerifier, VerifyError } from '../src/index.ts'
import { loginOverHttp, startGatehouse, TEST_AUDIENCE, TEST_ISSUER } from './support.ts'

const CLIENT = { clientId: 'orders-api', clientSecret: 'orders-api-secret-0123456789' }

describe('introspect mode against the real /introspect endpoint', () => {
  let gatehouse: TestApp & { baseUrl: string }
  beforeAll(async () => {
    gatehouse = await startGatehouse({
      GATEHOUSE_INTROSPECTION_CLIENTS: `${CLIENT.clientId}:${CLIENT.clientSecret}`,
    })
  })
  afterAll(async () => {
    await gatehouse.close()
  })

  const verifierWith = (clientSecret: string) =>
    createVerifier({
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      jwksUri: `${gatehouse.baseUrl}/.well-known/jwks.json`,
      introspect: { ...CLIENT, clientSecret, url: `${gatehouse.baseUrl}/introspect`, cacheTtlMs: 0 },
    })

  it('accepts a live token and refuses it as soon as the session is logged out', async () => {
    const token = await loginOverHttp(gatehouse.baseUrl, 'introspected')
    const verifier = verifierWith(CLIENT.clientSecret)
    expect((await verifier.verify(token)).username).toBe('introspected')
    const logout = await fetch(`${gatehouse.baseUrl}/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(logout.status).toBe(204)
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'token_inactive' })
  })

  it('fails closed when its client credentials are refused', async () => {
    const token = await loginOverHttp(gatehouse.baseUrl, 'introspected-2')
    const error = await verifierWith('wrong-secret-0123456789')
      .verify(token)
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(VerifyError)
    expect((error as VerifyError).code).toBe('introspection_unavailable')
  })
})
