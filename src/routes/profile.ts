import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { getProfile } from '../services/profile.ts'
import { renameUser } from '../services/users.ts'
import { requireContentType } from './content-type.ts'
import { requireAuth } from '../plugins/authenticate.ts'
import { accountCaller } from './request-meta.ts'
import { bearerSecurity, CredentialsBody, errorResponses, ProfileSchema } from './schemas.ts'

const TokenExpiry = Type.Object({
  expire_time: Type.String({ format: 'date-time', description: 'When the presented token expires (UTC)' }),
  expires_in: Type.Integer({ description: 'Seconds from now until it expires' }),
})

/** The seed's `/profile`, `PUT /profile/` and `/token_expiry`; bearer-protected (see protected.ts). */
export const profileRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/profile',
    {
      schema: {
        tags: ['profile'],
        summary: 'The current user',
        security: bearerSecurity,
        response: { 200: ProfileSchema, ...errorResponses(401) },
      },
    },
    async (request) => getProfile(app.services, requireAuth(request).user.id),
  )

  app.put(
    '/profile',
    {
      preValidation: requireContentType('application/json'),
      schema: {
        tags: ['profile'],
        summary: 'Change the username; `password` is the current password, required as proof',
        security: bearerSecurity,
        body: CredentialsBody,
        response: {
          200: Type.Object({ message: Type.String(), username: Type.String() }),
          ...errorResponses(401, 403, 409, 415, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const { username } = await renameUser(app.services, accountCaller(request, reply), request.body)
      return { message: 'Profile updated successfully', username }
    },
  )

  // Two spellings of one route; distinct operation ids, or Swagger UI opens and closes both together.
  for (const [path, operationId] of [
    ['/token_expiry', 'getTokenExpiry'],
    ['/token-expiry', 'getTokenExpiryHyphenated'],
  ] as const) {
    app.get(
      path,
      {
        schema: {
          operationId,
          tags: ['profile'],
          summary: 'When the presented access token expires',
          security: bearerSecurity,
          response: { 200: TokenExpiry, ...errorResponses(401) },
        },
      },
      async (request) => {
        const expiresAtSeconds = requireAuth(request).claims.exp
        const nowSeconds = Math.floor(app.services.clock.now() / 1000)
        return {
          expire_time: new Date(expiresAtSeconds * 1000).toISOString(),
          expires_in: Math.max(0, expiresAtSeconds - nowSeconds),
        }
      },
    )
  }
}
