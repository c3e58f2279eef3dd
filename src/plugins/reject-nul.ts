import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { AppError, OAuthError } from '../errors.ts'

// PostgreSQL text cannot hold U+0000 and fails the whole statement (SQLSTATE 22021), while SQLite stores
// it: refusing it at the door keeps the two engines answering alike, with a 4xx instead of a 500.

const OAUTH_ROUTES = new Set(['/token', '/revoke', '/introspect'])
const MAX_DEPTH = 32

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000')
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return false
  for (const [key, child] of Object.entries(value)) {
    if (key.includes('\u0000') || containsNul(child, depth + 1)) return true
  }
  return false
}

/** Refuses any body, query or path parameter that contains a NUL character. */
export const rejectNulPlugin = fp(async (app: FastifyInstance) => {
  app.addHook('preValidation', async (request: FastifyRequest) => {
    if (!containsNul(request.body) && !containsNul(request.query) && !containsNul(request.params)) return
    if (OAUTH_ROUTES.has(request.routeOptions.url ?? '')) {
      throw new OAuthError('invalid_request', 'Parameters must not contain NUL characters')
    }
    throw new AppError(422, 'validation_failed', 'Text must not contain NUL characters')
  })
})
