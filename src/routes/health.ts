import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { checkReadiness } from '../services/health.ts'

const ComponentStatus = Type.Object(
  { status: Type.Union([Type.Literal('up'), Type.Literal('down')]), detail: Type.Optional(Type.String()) },
  { additionalProperties: false },
)

const Readiness = Type.Object(
  {
    status: Type.Literal('ready'),
    components: Type.Record(Type.String(), ComponentStatus),
  },
  { additionalProperties: false },
)

// Not ready also carries the error fields every 503 has (code, detail, request id), so clients and the
// load balancer that already read those keep working.
const NotReady = Type.Object(
  {
    status: Type.Literal('not_ready'),
    components: Type.Record(Type.String(), ComponentStatus),
    code: Type.String(),
    detail: Type.String(),
    request_id: Type.String(),
  },
  { additionalProperties: false },
)

/** Liveness (the process answers) and readiness (each component it depends on answers). */
export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'The process is up',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  )

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Each component (database, Redis, signing key, mail) is up',
        description:
          '200 when every configured component is up, 503 otherwise; the body names each component ' +
          'and its status either way, so a load balancer and a person read the same answer.',
        response: { 200: Readiness, 503: NotReady },
      },
    },
    async (request, reply) => {
      const readiness = await checkReadiness(app.services)
      if (readiness.status === 'ready')
        return reply.send({ status: 'ready', components: readiness.components })
      const down = Object.entries(readiness.components)
        .filter(([, component]) => component.status === 'down')
        .map(([name]) => name)
      return reply
        .code(503)
        .header('retry-after', '5')
        .send({
          status: 'not_ready',
          components: readiness.components,
          code: readiness.code ?? 'not_ready',
          detail: `Not ready: ${down.join(', ')} down`,
          request_id: request.id,
        })
    },
  )
}
