import Fastify, { type FastifyRequest } from 'fastify'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { fastifyGatehouse, getAuth } from '../src/fastify.ts'
import { resourceServerCases } from './glue-cases.ts'
import { createTestKey, signTestToken, startJwksServer, TEST_AUDIENCE, TEST_ISSUER } from './support.ts'

describe('the Fastify plugin in a real Fastify app', () => {
  resourceServerCases(async (verifier) => {
    const app = Fastify({ logger: false })
    await app.register(fastifyGatehouse, { verifier })
    app.get('/me', { preHandler: app.requireAuth() }, async (request) => getAuth(request))
    app.get('/admin', { preHandler: app.requireAuth({ role: 'admin' }) }, async (request) => getAuth(request))
    await app.listen({ host: '127.0.0.1', port: 0 })
    const { port } = app.server.address() as AddressInfo
    return { url: `http://127.0.0.1:${port}`, close: () => app.close() }
  })
})

describe('the Fastify plugin built from verifier options', () => {
  it('leaves request.auth null on unguarded routes and sets it on guarded ones', async () => {
    const key = await createTestKey()
    const jwks = await startJwksServer([key.publicJwk])
    const app = Fastify({ logger: false })
    await app.register(fastifyGatehouse, {
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      jwksUri: jwks.jwksUri,
    })
    const readAuth = async (request: FastifyRequest) => ({ auth: (request as { auth?: unknown }).auth })
    app.get('/open', readAuth)
    app.get('/guarded', { preHandler: app.requireAuth() }, readAuth)
    try {
      const authorization = `Bearer ${await signTestToken(key)}`
      const open = await app.inject({ method: 'GET', url: '/open', headers: { authorization } })
      expect(open.json()).toEqual({ auth: null })
      const guarded = await app.inject({ method: 'GET', url: '/guarded', headers: { authorization } })
      expect(guarded.json()).toMatchObject({ auth: { sub: 'user-1', iss: TEST_ISSUER } })
    } finally {
      await app.close()
      await jwks.close()
    }
  })
})
