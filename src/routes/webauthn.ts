import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { requireAuth } from '../plugins/authenticate.ts'
import {
  listCredentials,
  registerCredential,
  registrationOptions,
  removeCredential,
} from '../services/mfa/webauthn-registration.ts'
import { requireContentType } from './content-type.ts'
import { RecoveryCodes } from './mfa-login.ts'
import { optionalJsonBody, StepUpBody } from './mfa.ts'
import { accountCaller } from './request-meta.ts'
import { bearerSecurity, errorResponses } from './schemas.ts'
import { CreationOptionsSchema, CredentialSchema, RegistrationResponseSchema } from './webauthn-schemas.ts'

/** The caller's passkeys: register (step-up), list, remove (step-up). Bearer-protected. */
export const webauthnRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['mfa']
  const security = bearerSecurity

  app.post(
    '/webauthn/register/options',
    {
      preValidation: optionalJsonBody,
      schema: {
        tags,
        security,
        summary:
          'Creation options for navigator.credentials.create (step-up; the challenge is single-use, 5 min)',
        body: StepUpBody,
        response: { 200: CreationOptionsSchema, ...errorResponses(401, 403, 415, 422, 429) },
      },
    },
    async (request, reply) => registrationOptions(app.services, accountCaller(request, reply), request.body),
  )

  app.post(
    '/webauthn/register',
    {
      preValidation: requireContentType('application/json'),
      schema: {
        tags,
        security,
        summary: 'Register a passkey from the browser’s response; ends your other sessions',
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 64 }), response: RegistrationResponseSchema },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            ...CredentialSchema.properties,
            recovery_codes: Type.Optional(RecoveryCodes),
          }),
          ...errorResponses(401, 409, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const credential = await registerCredential(app.services, accountCaller(request, reply), request.body)
      return reply.code(201).send(credential)
    },
  )

  app.get(
    '/webauthn/credentials',
    {
      schema: {
        tags,
        security,
        summary: 'Your passkeys',
        response: { 200: Type.Array(CredentialSchema), ...errorResponses(401) },
      },
    },
    async (request) => listCredentials(app.services, requireAuth(request).user.id),
  )

  app.delete(
    '/webauthn/credentials/:id',
    {
      preValidation: optionalJsonBody,
      schema: {
        tags,
        security,
        summary: 'Remove a passkey (step-up); ends your other sessions',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: StepUpBody,
        response: {
          204: Type.Null({ description: 'Removed' }),
          ...errorResponses(401, 403, 404, 415, 422, 429),
        },
      },
    },
    async (request, reply) => {
      await removeCredential(app.services, accountCaller(request, reply), request.params.id, request.body)
      return reply.code(204).send(null)
    },
  )
}
