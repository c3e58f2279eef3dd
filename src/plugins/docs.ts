import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { TSchema } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/** OpenAPI 3.1 generated from the route schemas, Swagger UI at /docs (as FastAPI users expect). */
export const docsPlugin = fp(
  async (app: FastifyInstance, options: { version: string; sharedSchemas: readonly TSchema[] }) => {
    // Shared schemas (the error bodies) are registered by $id, so routes can reference them.
    for (const schema of options.sharedSchemas) app.addSchema(schema)
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Gatehouse',
          version: options.version,
          description:
            'A self-hosted authentication server. Use **Authorize** to log in, then try the routes.',
        },
        components: {
          securitySchemes: {
            // The same scheme FastAPI's OAuth2PasswordBearer(tokenUrl="login") advertises.
            OAuth2PasswordBearer: { type: 'oauth2', flows: { password: { tokenUrl: '/login', scopes: {} } } },
          },
        },
      },
      refResolver: {
        buildLocalReference: (json, _baseUri, _fragment, index) =>
          typeof json.$id === 'string' ? json.$id : `def-${index}`,
      },
    })
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { persistAuthorization: false } })
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  },
)
