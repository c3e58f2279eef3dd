import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'

/** A strong password every lifecycle test user gets. */
export const PASSWORD = 'lifecycle-password-42'

/** The token response of /login and /token. */
export interface Tokens {
  access_token: string
  refresh_token: string
  expires_in: number
  token_type: string
}

/** Registers a user and returns their id. */
export async function register(app: FastifyInstance, username: string, password = PASSWORD): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/register', payload: { username, password } })
  expect(response.statusCode).toBe(201)
  return response.json<{ id: string }>().id
}

/** Logs in through /login and returns the pair. */
export async function login(app: FastifyInstance, username: string, password = PASSWORD): Promise<Tokens> {
  const response = await app.inject({ method: 'POST', url: '/login', payload: { username, password } })
  expect(response.statusCode).toBe(200)
  return response.json<Tokens>()
}

/** POSTs a form to an OAuth endpoint. `body` may repeat keys as arrays of pairs. */
export function postForm(
  app: FastifyInstance,
  url: string,
  body: string,
  headers: Record<string, string> = {},
) {
  return app.inject({
    method: 'POST',
    url,
    payload: body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  })
}

/** Exchanges a refresh token at /token. */
export function refresh(app: FastifyInstance, refreshToken: string) {
  return postForm(
    app,
    '/token',
    new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
  )
}

/** GET /profile with a token; returns the status code. */
export async function profileStatus(app: FastifyInstance, accessToken: string): Promise<number> {
  const response = await app.inject({
    method: 'GET',
    url: '/profile',
    headers: { authorization: `Bearer ${accessToken}` },
  })
  return response.statusCode
}
