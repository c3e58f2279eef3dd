import { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { IncomingHttpHeaders } from 'node:http'
import fp from 'fastify-plugin'
import { newId } from '../services/random.ts'

/** The header that carries a request's id in and out. */
export const REQUEST_ID_HEADER = 'x-request-id'

// Visible ASCII only and at most 128 characters (the audit column keeps 128): an id a proxy or client
// sends is kept so one request can be followed across systems, but a long one, or one holding spaces,
// control or non-ASCII characters (log injection, confusable text), is replaced by our own.
const WELL_FORMED = /^[\x21-\x7e]{1,128}$/

/** The incoming id when it is well-formed, otherwise a new UUIDv7. */
export function requestIdFor(request: { headers: IncomingHttpHeaders }): string {
  const incoming = request.headers[REQUEST_ID_HEADER]
  return typeof incoming === 'string' && WELL_FORMED.test(incoming) ? incoming : newId()
}

/** Fastify constructor options: how request ids are made and what log lines call them. */
export const requestIdOptions = {
  genReqId: requestIdFor,
  // disableRequestLogging: plugins/access-log.ts writes one line per request instead of Fastify's two.
  logController: new LogController({ requestIdLogLabel: 'request_id', disableRequestLogging: true }),
} satisfies Partial<FastifyServerOptions>

/** Every response carries X-Request-Id; every request log line carries `request_id`. */
export const requestIdPlugin = fp(async (app: FastifyInstance) => {
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id)
  })
})
