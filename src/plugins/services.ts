import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { ServiceContext } from '../services/context.ts'
import { closeServiceContext } from '../services/create-context.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Database, config, clock, keys, hasher and throttles, handed to every service call. */
    services: ServiceContext
  }
}

/** Exposes the service context to routes and closes what it opened with the app. */
export const servicesPlugin = fp(async (app: FastifyInstance, options: { context: ServiceContext }) => {
  app.decorate('services', options.context)
  app.addHook('onClose', async () => {
    await closeServiceContext(options.context)
  })
})
