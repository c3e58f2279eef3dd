import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { sendPasswordResetAsAdmin, setUserEmailAsAdmin } from '../services/admin/user-email.ts'
import { AdminUser } from './admin-users.ts'
import { requireContentType } from './content-type.ts'
import { adminActor } from './request-meta.ts'
import { bearerSecurity, errorResponses } from './schemas.ts'

const UserParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) })

/** An admin's handling of a user's email address (issue 11), under /admin/users/{id}. */
export const adminUserEmailRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['admin']
  const security = bearerSecurity

  app.patch(
    '/admin/users/:id/email',
    {
      preValidation: requireContentType('application/json'),
      schema: {
        tags,
        security,
        summary: 'Set, remove or (un)verify a user’s email address',
        description:
          '`email`: a new address, or null to remove it (a new address is unverified unless `verified` ' +
          'is true). `verified`: mark the address verified or not. 409 `email_taken` when another ' +
          'account holds the address verified.',
        params: UserParams,
        body: Type.Object(
          {
            email: Type.Optional(Type.Union([Type.String({ minLength: 3, maxLength: 320 }), Type.Null()])),
            verified: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: AdminUser, ...errorResponses(401, 403, 404, 409, 415, 422) },
      },
    },
    async (request) =>
      setUserEmailAsAdmin(app.services, adminActor(request), request.params.id, request.body),
  )

  app.post(
    '/admin/users/:id/password-reset',
    {
      schema: {
        tags,
        security,
        summary: 'Mail the user a password reset link and code',
        description: '409 `email_missing` when the user has no verified address; 429 past the address quota.',
        params: UserParams,
        response: {
          202: Type.Object({ message: Type.String() }),
          ...errorResponses(401, 403, 404, 409, 429),
        },
      },
    },
    async (request, reply) => {
      await sendPasswordResetAsAdmin(app.services, adminActor(request), request.params.id)
      return reply.code(202).send({ message: 'A password reset message is on its way' })
    },
  )
}
