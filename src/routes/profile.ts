import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { renameUser, toPublicUser } from '../services/users.ts'
import { requireContentType } from './content-type.ts'
import { underLoginThrottle } from './password-guard.ts'
import { requestMeta } from './request-meta.ts'
import { bearerSecurity, CredentialsBody, errorResponses, ProfileSchema } from './schemas.ts'

const TokenExpiry = Type.Object({
  expire_time: Type.String({ format: 'date-time', description: 'When the presented token expires (UTC)' }),
  expires_in: Type.Integer({ description: 'Seconds from now until it expires' }),
})

/** The seed's `/profile`, `PUT /profile/` and `/token_expiry`; each requires a Bearer token. */
export const profileRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // onRequest: an unauthenticated caller gets 401 before any body is parsed or validated (no schema leaks).
  app.addHook('onRequest', app.authenticate)

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
    async (request) => toPublicUser(request.auth!.user),
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
      const { username } = await underLoginThrottle(app, request, reply, () =>
        renameUser(app.services, request.auth!.user.id, request.body, requestMeta(request)),
      )
      return { message: 'Profile updated successfully', username }
    },
  )

  for (const path of ['/token_expiry', '/token-expiry']) {
    app.get(
      path,
      {
        schema: {
          tags: ['profile'],
          summary: 'When the presented access token expires',
          security: bearerSecurity,
          response: { 200: TokenExpiry, ...errorResponses(401) },
        },
      },
      async (request) => {
        const expiresAtSeconds = request.auth!.claims.exp
        const nowSeconds = Math.floor(app.services.clock.now() / 1000)
        return {
          expire_time: new Date(expiresAtSeconds * 1000).toISOString(),
          expires_in: Math.max(0, expiresAtSeconds - nowSeconds),
        }
      },
    )
  }
}
