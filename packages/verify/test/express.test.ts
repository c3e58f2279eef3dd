import express from 'express'
import type { AddressInfo } from 'node:net'
import { describe } from 'vitest'
import { expressGatehouse } from '../src/express.ts'
import { resourceServerCases } from './glue-cases.ts'

describe('the Express middleware in a real Express app', () => {
  resourceServerCases(async (verifier) => {
    const app = express()
    app.get('/me', expressGatehouse({ verifier }), (request, response) => {
      response.json(request.auth)
    })
    app.get('/admin', expressGatehouse({ verifier, role: 'admin' }), (request, response) => {
      response.json(request.auth)
    })
    const server = app.listen(0, '127.0.0.1')
    await new Promise<void>((resolve) => server.once('listening', resolve))
    const { port } = server.address() as AddressInfo
    return {
      url: `http://127.0.0.1:${port}`,
      close: () =>
        new Promise<void>((resolve, reject) => {
          server.closeAllConnections()
          server.close((error) => (error ? reject(error) : resolve()))
        }),
    }
  })
})
