import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    /** Begins draining: /readyz answers 503 while requests are still served, each on a closing connection. */
    beginDraining: () => void
  }
}

/**
 * The draining state of a stopping process (src/main.ts starts it on SIGTERM). Responses sent while
 * draining say `Connection: close`, so no keep-alive connection is left idle when the listener closes:
 * a balancer reusing one at that moment would otherwise see a reset (issue 17's rolling restart).
 */
export const drainingPlugin = fp(async (app: FastifyInstance) => {
  const lifecycle = app.services.lifecycle
  app.decorate('beginDraining', () => {
    lifecycle.stopping = true
  })
  app.addHook('onSend', async (_request, reply) => {
    if (lifecycle.stopping) reply.header('connection', 'close')
  })
})
