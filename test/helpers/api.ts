import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'
import { PASSWORD } from './users.ts'

// Calls to the public API through `app.inject()`. Helpers named after an outcome (registerUser, login)
// assert it, so a broken precondition fails where it happens; `attempt…` helpers return the response.

/** The body of POST /register. */
export interface PublicUser {
  id: string
  username: string
  role: string
  created_at: string
}

/**
 * Every field of the user that /register answers with, sorted: the seed's four and issue 11's email
 * fields. Nothing else may appear, the password hash least of all.
 */
export const PUBLIC_USER_FIELDS = ['created_at', 'email', 'email_verified', 'id', 'role', 'username']

/** The token response of /login and /token. */
export interface Tokens {
  access_token: string
  refresh_token: string
  expires_in: number
  token_type: string
}

/** The HTTP methods the API answers. */
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** An Authorization header carrying a Bearer token. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` }
}

/** POST /register with a JSON body, from the default inject address (127.0.0.1) unless one is given. */
export function attemptRegister(
  app: FastifyInstance,
  username: string,
  password = PASSWORD,
  options: { remoteAddress?: string } = {},
) {
  return app.inject({ method: 'POST', url: '/register', payload: { username, password }, ...options })
}

/** Registers a user, asserts the 201 and returns the body. */
export async function registerUser(
  app: FastifyInstance,
  username: string,
  password = PASSWORD,
): Promise<PublicUser> {
  const response = await attemptRegister(app, username, password)
  expect(response.statusCode, response.body).toBe(201)
  return response.json<PublicUser>()
}

/** POST /login with a JSON body, from the default inject address (127.0.0.1) unless one is given. */
export function attemptLogin(
  app: FastifyInstance,
  username: string,
  password: string,
  options: { headers?: Record<string, string>; remoteAddress?: string } = {},
) {
  return app.inject({ method: 'POST', url: '/login', payload: { username, password }, ...options })
}

/** Logs in through /login, asserts the 200 and returns the token pair. */
export async function login(app: FastifyInstance, username: string, password = PASSWORD): Promise<Tokens> {
  const response = await attemptLogin(app, username, password)
  expect(response.statusCode, response.body).toBe(200)
  return response.json<Tokens>()
}

/** Logs in through /login and returns the access token. */
export async function loginToken(
  app: FastifyInstance,
  username: string,
  password = PASSWORD,
): Promise<string> {
  return (await login(app, username, password)).access_token
}

/** Registers and logs in a user; returns their id and both tokens. */
export async function userWithToken(
  app: FastifyInstance,
  username: string,
): Promise<{ id: string; token: string; refreshToken: string }> {
  const { id } = await registerUser(app, username)
  const tokens = await login(app, username)
  return { id, token: tokens.access_token, refreshToken: tokens.refresh_token }
}

/** Calls the API with a Bearer token (none when undefined) and an optional JSON body. */
export function callWithToken(
  app: FastifyInstance,
  token: string | undefined,
  method: Method,
  url: string,
  payload?: unknown,
) {
  return app.inject({
    method,
    url,
    headers: token === undefined ? {} : bearer(token),
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  })
}

/** GET a protected path with a Bearer token. */
export function getWithToken(app: FastifyInstance, url: string, token: string) {
  return callWithToken(app, token, 'GET', url)
}

/** GET /profile with a token; returns only the status code. */
export async function profileStatus(app: FastifyInstance, token: string): Promise<number> {
  return (await getWithToken(app, '/profile', token)).statusCode
}

/** POST /logout with a token. */
export function logout(app: FastifyInstance, token: string) {
  return callWithToken(app, token, 'POST', '/logout')
}

/** POSTs a form to an OAuth endpoint; `body` is sent as it is, so it may repeat keys. */
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

/** The password grant at /token. */
export function passwordGrant(app: FastifyInstance, username: string, password: string) {
  return postForm(
    app,
    '/token',
    new URLSearchParams({ grant_type: 'password', username, password }).toString(),
  )
}

/** Exchanges a refresh token at /token. */
export function refresh(app: FastifyInstance, refreshToken: string) {
  const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken })
  return postForm(app, '/token', body.toString())
}

/** An HTTP Basic Authorization value for a client id and secret. */
export function basicAuthorization(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`
}

/** POST /introspect (RFC 7662) for `token`, sending `authorization` as the client's credentials, if any. */
export function attemptIntrospection(app: FastifyInstance, token: string, authorization?: string) {
  const body = new URLSearchParams({ token }).toString()
  return postForm(app, '/introspect', body, authorization === undefined ? {} : { authorization })
}
