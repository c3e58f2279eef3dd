import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { AppError } from '../errors.ts'

// Fastify's own JSON parser refuses `__proto__` and `constructor.prototype` keys (prototype poisoning)
// but answers "Body is not valid JSON" for them, which sends a client hunting for a syntax error in valid
// JSON (issue 15). This parser refuses the same keys and names the one it found.

/** Parses JSON text, refusing the keys that poison prototypes when a body is merged into an object. */
export function parseJsonBody(text: string): unknown {
  let value: unknown
  try {
    value = JSON.parse(text, (key, child: unknown) => {
      if (key === '__proto__') throw new ForbiddenKeyError('__proto__')
      if (key === 'constructor' && child !== null && typeof child === 'object' && 'prototype' in child)
        throw new ForbiddenKeyError('constructor')
      return child
    })
  } catch (error) {
    if (error instanceof ForbiddenKeyError)
      throw new AppError(400, 'invalid_json', `The key "${error.key}" is not allowed in a JSON body`)
    throw new AppError(400, 'invalid_json', 'Body is not valid JSON')
  }
  return value
}

class ForbiddenKeyError extends Error {
  constructor(readonly key: string) {
    super(`forbidden key ${key}`)
  }
}

/** Replaces the application/json parser with `parseJsonBody` (same size limit, same empty-body answer). */
export const jsonBodyPlugin = fp(async (app: FastifyInstance, options: { bodyLimit: number }) => {
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: options.bodyLimit },
    (_request, body: string, done) => {
      if (body.length === 0) {
        done(new AppError(400, 'invalid_json', 'Body must not be empty'), undefined)
        return
      }
      try {
        done(null, parseJsonBody(body))
      } catch (error) {
        done(error as AppError, undefined)
      }
    },
  )
})
