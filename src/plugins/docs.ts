import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { TSchema } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { INSTALLATION_ROOT } from '../installation.ts'

// The pages' icon, so /docs is recognisably Gatehouse rather than a stock Swagger UI.
const ICON = readFileSync(join(INSTALLATION_ROOT, 'ui', 'icon.svg'))
const ICON_FAVICON = {
  filename: 'gatehouse.svg',
  rel: 'icon',
  type: 'image/svg+xml',
  sizes: 'any',
  content: ICON,
}

const AUTHORIZE_HINT =
  'Type your username and password and press Authorize. Leave client_id and client_secret empty: ' +
  'Gatehouse has no client registration, and Swagger UI shows the fields (and masks them as ****** ' +
  'afterwards) for every OAuth2 password flow. Scopes are not used.'

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
            OAuth2PasswordBearer: {
              type: 'oauth2',
              // Shown in the Authorize dialog, above fields Swagger UI always draws.
              description: AUTHORIZE_HINT,
              flows: { password: { tokenUrl: '/login', scopes: {} } },
            },
          },
        },
      },
      refResolver: {
        buildLocalReference: (json, _baseUri, _fragment, index) =>
          typeof json.$id === 'string' ? json.$id : `def-${index}`,
      },
    })
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      uiConfig: {
        persistAuthorization: false,
        // Swagger UI reports a failed Authorize with the status text only ("Unauthorized"); put the
        // server's `detail` there instead, so a wrong password or a throttled login says what happened.
        // Serialized into the page's own script file by @fastify/swagger-ui, so the CSP holds.
        // The function's source is what the page runs: it must not refer to anything outside itself.
        responseInterceptor: (response) => {
          const seen = response as unknown as { ok: boolean; statusText: string; body?: { detail?: unknown } }
          if (!seen.ok && typeof seen.body?.detail === 'string') seen.statusText = seen.body.detail
          return response
        },
      },
      theme: { title: 'Gatehouse API docs', favicon: [ICON_FAVICON] },
      logo: { type: 'image/svg+xml', content: ICON, href: '/docs', target: '_self' },
    })
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  },
)
