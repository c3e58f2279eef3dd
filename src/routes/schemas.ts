import { Type, type TSchema } from '@sinclair/typebox'
import type { TokenPair } from '../services/refresh-tokens.ts'

// Response schemas serialize only the fields listed, so a password hash can never leak through one.

/** `{detail, code}`: every non-validation error. */
export const ErrorBody = Type.Object(
  { detail: Type.String(), code: Type.String(), request_id: Type.Optional(Type.String()) },
  { $id: 'ErrorBody', description: 'An error with a stable machine-readable code' },
)

/** One FastAPI-style validation issue: where, what, and a stable type. */
const ValidationIssue = Type.Object({
  loc: Type.Array(Type.Union([Type.String(), Type.Integer()])),
  msg: Type.String(),
  type: Type.String(),
})

/**
 * A 422: `detail` is a list of issues for schema failures (FastAPI's shape) and a string for policy
 * failures such as a weak password. Declared apart from ErrorBody because serializing a list through
 * a string schema turned it into "[object Object]".
 */
export const UnprocessableBody = Type.Object(
  {
    detail: Type.Union([Type.String(), Type.Array(ValidationIssue)]),
    code: Type.String(),
    request_id: Type.Optional(Type.String()),
  },
  { $id: 'UnprocessableBody', description: 'Validation issues, or a policy failure, with a stable code' },
)

/** A user as clients see it. */
export const PublicUserSchema = Type.Object({
  id: Type.String({ description: 'Immutable user id (UUIDv7); the `sub` of every token' }),
  username: Type.String(),
  role: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  email: Type.Union([Type.String(), Type.Null()], { description: 'The email address as typed, or null' }),
  email_verified: Type.Boolean({ description: 'Whether the owner of the address confirmed it' }),
})

/** A user with the time of their last change. */
export const ProfileSchema = Type.Object({
  ...PublicUserSchema.properties,
  updated_at: Type.String({ format: 'date-time' }),
})

/** The seed's `{username, password}` body; no other fields are accepted. */
export const CredentialsBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 256 }),
    password: Type.String({ minLength: 1, maxLength: 4096 }),
  },
  { additionalProperties: false },
)

/** Error responses a route may give, referenced by status. */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(
    statuses.map((status) => [status, Type.Ref(status === 422 ? UnprocessableBody : ErrorBody)]),
  )
}

/** A 204 answer, listed so the OpenAPI document names every success a route can give (issue 16, fuzzing). */
export const NoContent = Type.Null({ description: 'Done; no body' })

/** The OpenAPI security requirement for Bearer-protected routes. */
export const bearerSecurity = [{ OAuth2PasswordBearer: [] }]

/** The token response of /login and /token (RFC 6749 §5.1). */
export const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer({ description: 'Seconds until the access token expires' }),
  refresh_token: Type.String({ description: 'Opaque, single-use: each refresh returns a new one' }),
  device_token: Type.Optional(
    Type.String({
      description:
        'After a password login: present it as the Gatehouse-Device header on later logins, so guesses by ' +
        'others cannot lock this client out (OWASP device cookies)',
    }),
  ),
})

/** Builds the token response body from a freshly issued pair. */
export function tokenResponseBody(pair: TokenPair) {
  return {
    access_token: pair.access.token,
    token_type: 'bearer' as const,
    expires_in: pair.access.expiresInSeconds,
    refresh_token: pair.refreshToken,
    ...(pair.deviceToken === undefined ? {} : { device_token: pair.deviceToken }),
  }
}
