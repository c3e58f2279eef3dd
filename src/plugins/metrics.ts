import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createServer, type Server } from 'node:http'
import { once } from 'node:events'
import { isDatabaseUnavailable } from '../db/errors.ts'
import { DatabaseUnavailableError } from '../errors.ts'
import { renderMetrics } from '../services/metrics.ts'

/**
 * Request counts and latency by route template (never the raw URL: ids would explode the label set),
 * method and status class; database errors; and, when GATEHOUSE_METRICS_BIND is set, a loopback-only
 * listener that serves /metrics without a token, opened with the server and closed with it.
 */
export const metricsPlugin = fp(async (app: FastifyInstance) => {
  const context = app.services
  const { metrics } = context

  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      route: request.routeOptions.url ?? 'unmatched',
      method: request.method,
      status_class: `${Math.floor(reply.statusCode / 100)}xx`,
    }
    metrics.httpRequests.inc(labels)
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000)
  })

  app.addHook('onError', async (_request, _reply, error) => {
    if (error instanceof DatabaseUnavailableError || isDatabaseUnavailable(error))
      metrics.databaseErrors.inc()
  })

  const bind = context.config.metrics.bind
  if (bind === undefined) return
  let server: Server | undefined
  app.addHook('onListen', async () => {
    server = createServer((request, response) => {
      if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found\n')
        return
      }
      renderMetrics(context).then(
        ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body),
        (error: unknown) => {
          app.log.error({ err: error }, 'metrics rendering failed')
          response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n')
        },
      )
    })
    server.listen(bind.port, bind.host)
    await once(server, 'listening')
    app.log.info(
      { metrics: `http://${bind.host.includes(':') ? `[${bind.host}]` : bind.host}:${bind.port}/metrics` },
      'metrics listener',
    )
  })
  app.addHook('onClose', async () => {
    if (!server?.listening) return
    server.closeAllConnections()
    await new Promise<void>((resolve) => server?.close(() => resolve()))
  })
})
