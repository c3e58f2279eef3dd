import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import {
  createUserAsAdmin,
  deleteUserAsAdmin,
  getUserForAdmin,
  listUsersForAdmin,
  resetPasswordAsAdmin,
  updateUserAsAdmin,
} from '../services/admin/users.ts'
import { listUserSessionsForAdmin, revokeUserSessionsAsAdmin } from '../services/admin/sessions.ts'
import { requireContentType } from './content-type.ts'
import { FactorSummarySchema } from './mfa.ts'
import { adminActor } from './request-meta.ts'
import { bearerSecurity, errorResponses, NoContent } from './schemas.ts'

const Timestamp = Type.String({ format: 'date-time' })
const NullableTimestamp = Type.Union([Timestamp, Type.Null()])

/** A user as admins see it. */
export const AdminUser = Type.Object({
  id: Type.String(),
  username: Type.String(),
  role: Type.String(),
  disabled: Type.Boolean(),
  disabled_at: NullableTimestamp,
  created_at: Timestamp,
  updated_at: Timestamp,
  last_login_at: NullableTimestamp,
  email: Type.Union([Type.String(), Type.Null()]),
  email_verified: Type.Boolean(),
})

const AdminSession = Type.Object({
  id: Type.String(),
  created_at: Timestamp,
  last_used_at: Timestamp,
  expires_at: Timestamp,
  user_agent: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
})

const UserParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) })
const Password = Type.String({ minLength: 1, maxLength: 4096 })
const Role = Type.String({ minLength: 1, maxLength: 64 })
const Username = Type.String({ minLength: 1, maxLength: 256 })

// Query strings arrive as strings (coercion is off), so numbers and booleans are checked by pattern.
const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    q: Type.Optional(Type.String({ maxLength: 64 })),
    role: Type.Optional(Role),
    disabled: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
  },
  { additionalProperties: false },
)

const json = requireContentType('application/json')

/** User management for admins under /admin/users. Every route needs the caller's database role to be admin. */
export const adminUserRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['admin']
  const security = bearerSecurity

  app.get(
    '/admin/users',
    {
      schema: {
        tags,
        security,
        summary: 'List users, oldest first, with a cursor; filter by username prefix, role, disabled',
        querystring: ListQuery,
        response: {
          200: Type.Object({
            items: Type.Array(AdminUser),
            next_cursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses(401, 403),
        },
      },
    },
    async (request) => listUsersForAdmin(app.services, request.query),
  )

  app.post(
    '/admin/users',
    {
      preValidation: json,
      schema: {
        tags,
        security,
        summary: 'Create a user (registration password policy applies)',
        body: Type.Object(
          { username: Username, password: Password, role: Type.Optional(Role) },
          { additionalProperties: false },
        ),
        response: { 201: AdminUser, ...errorResponses(401, 403, 409, 415) },
      },
    },
    async (request, reply) => {
      const user = await createUserAsAdmin(app.services, adminActor(request), request.body)
      return reply.code(201).send(user)
    },
  )

  app.get(
    '/admin/users/:id',
    {
      schema: {
        tags,
        security,
        summary: 'One user, with their live session count, last login and second factors',
        params: UserParams,
        response: {
          200: Type.Object({
            ...AdminUser.properties,
            session_count: Type.Integer(),
            mfa: FactorSummarySchema,
          }),
          ...errorResponses(401, 403, 404),
        },
      },
    },
    async (request) => getUserForAdmin(app.services, request.params.id),
  )

  app.patch(
    '/admin/users/:id',
    {
      preValidation: json,
      schema: {
        tags,
        security,
        summary: 'Change role, disabled state or username; disabling signs the user out everywhere',
        params: UserParams,
        body: Type.Object(
          {
            role: Type.Optional(Role),
            disabled: Type.Optional(Type.Boolean()),
            username: Type.Optional(Username),
            // Step-up for a role change when the admin's login is older than GATEHOUSE_REAUTH_MAX_AGE.
            current_password: Type.Optional(Password),
            code: Type.Optional(Type.String({ minLength: 1, maxLength: 16 })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: AdminUser, ...errorResponses(401, 403, 404, 409, 415) },
      },
    },
    async (request) => updateUserAsAdmin(app.services, adminActor(request), request.params.id, request.body),
  )

  app.post(
    '/admin/users/:id/password',
    {
      preValidation: json,
      schema: {
        tags,
        security,
        summary: 'Set a new password and revoke all the user’s sessions',
        params: UserParams,
        body: Type.Object({ new_password: Password }, { additionalProperties: false }),
        response: {
          200: Type.Object({ revoked_sessions: Type.Integer() }),
          ...errorResponses(401, 403, 404, 415),
        },
      },
    },
    async (request) => {
      const { revokedSessions } = await resetPasswordAsAdmin(
        app.services,
        adminActor(request),
        request.params.id,
        request.body.new_password,
      )
      return { revoked_sessions: revokedSessions }
    },
  )

  app.delete(
    '/admin/users/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Delete a user with all their sessions',
        params: UserParams,
        response: { 204: NoContent, ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await deleteUserAsAdmin(app.services, adminActor(request), request.params.id)
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/admin/users/:id/sessions',
    {
      schema: {
        tags,
        security,
        summary: 'A user’s live sessions, newest first',
        params: UserParams,
        response: { 200: Type.Array(AdminSession), ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => listUserSessionsForAdmin(app.services, request.params.id),
  )

  app.delete(
    '/admin/users/:id/sessions',
    {
      schema: {
        tags,
        security,
        summary: 'Revoke all the user’s sessions',
        params: UserParams,
        response: { 200: Type.Object({ revoked: Type.Integer() }), ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => revokeUserSessionsAsAdmin(app.services, adminActor(request), request.params.id),
  )
}
