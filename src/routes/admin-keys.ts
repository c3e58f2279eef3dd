import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { listKeysForAdmin, retireKeyAsAdmin, rotateKeysAsAdmin } from '../services/admin/keys.ts'
import { adminActor } from './request-meta.ts'
import { bearerSecurity, errorResponses } from './schemas.ts'

const Timestamp = Type.String({ format: 'date-time' })
const NullableTimestamp = Type.Union([Timestamp, Type.Null()])

const AdminKey = Type.Object({
  kid: Type.String(),
  algorithm: Type.String(),
  state: Type.Union(
    ['next', 'active', 'retiring', 'retired', 'expired'].map((state) => Type.Literal(state)),
    {
      description:
        'next: published, signs later; active: signs now; retiring: replaced, still verifies; retired: stopped early; expired: verifies nothing',
    },
  ),
  created_at: Timestamp,
  signs_from: Timestamp,
  retired_at: NullableTimestamp,
  published_until: NullableTimestamp,
})

// A kid is our RFC 7638 thumbprint (base64url); anything else cannot name a key, so it never reaches SQL.
const KeyParams = Type.Object({
  kid: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' }),
})

/**
 * Signing keys under /admin/keys: list, rotate now, retire one. Each change is audited. Registered in the
 * admin group (routes/protected.ts), whose hooks refuse anyone but an admin before anything else runs.
 */
export const adminKeyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['admin']
  const security = bearerSecurity

  app.get(
    '/admin/keys',
    {
      schema: {
        tags,
        security,
        summary: 'Every signing key, newest first, with its state (as `gatehouse keys list`)',
        response: {
          200: Type.Object({
            algorithm: Type.String({ description: 'The algorithm new tokens are signed with' }),
            rotation_interval_seconds: Type.Integer({ description: '0 when automatic rotation is off' }),
            items: Type.Array(AdminKey),
          }),
          ...errorResponses(401, 403),
        },
      },
    },
    async () => listKeysForAdmin(app.services),
  )

  app.post(
    '/admin/keys/rotate',
    {
      schema: {
        tags,
        security,
        summary: 'Rotate now: the next key signs at once; old keys verify until their tokens expire',
        response: {
          200: Type.Object({ created_kid: Type.String(), retired_kids: Type.Array(Type.String()) }),
          ...errorResponses(401, 403, 409),
        },
      },
    },
    async (request) => rotateKeysAsAdmin(app.services, app.keyRotation, adminActor(request)),
  )

  app.post(
    '/admin/keys/:kid/retire',
    {
      schema: {
        tags,
        security,
        summary: 'Retire a key at once (compromise): every token it signed is refused from now on',
        params: KeyParams,
        response: {
          200: Type.Object({
            retired_kid: Type.String(),
            created_kid: Type.Union([Type.String(), Type.Null()], {
              description: 'The fresh key that took over, when the retired key was the one signing',
            }),
          }),
          ...errorResponses(401, 403, 404, 409, 422),
        },
      },
    },
    async (request) =>
      retireKeyAsAdmin(app.services, app.keyRotation, adminActor(request), request.params.kid),
  )
}
