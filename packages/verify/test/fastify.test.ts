import Fastify from 'fastify'
import type { AddressInfo } from 'node:net'
import { describe } from 'vitest'
import { fastifyGatehouse, getAuth } from '../src/fastify.ts'
import { resourceServerCases } from './glue-cases.ts'

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
