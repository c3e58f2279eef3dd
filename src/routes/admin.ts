import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { bearerSecurity, errorResponses } from './schemas.ts'

/** The seed's admin-only `GET /admin/`. The role is read from the database on every request. */
export const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/admin/',
    {
      schema: {
        tags: ['admin'],
        summary: 'Admins only',
        security: bearerSecurity,
        response: { 200: Type.Object({ msg: Type.String() }), ...errorResponses(401, 403) },
      },
    },
    async () => ({ msg: 'welcome admin' }),
  )
}
