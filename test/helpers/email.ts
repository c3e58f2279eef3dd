import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'
import { login, type PublicUser } from './api.ts'
import type { ReceivedEmail, TestSmtpServer } from './smtp.ts'
import { PASSWORD } from './users.ts'

// Issue 11's flows through the public API, for the email tests.

/** A registered user with an email address, as POST /register answers. */
export interface EmailUser extends PublicUser {
  email: string | null
  email_verified: boolean
}

/** POST /register with an email address; asserts the 201. */
export async function registerWithEmail(
  app: FastifyInstance,
  username: string,
  email: string,
  password = PASSWORD,
): Promise<EmailUser> {
  const response = await app.inject({
    method: 'POST',
    url: '/register',
    payload: { username, password, email },
  })
  expect(response.statusCode, response.body).toBe(201)
  return response.json<EmailUser>()
}

/** POST a JSON body, with a Bearer token when one is given. */
export function postJson(app: FastifyInstance, url: string, payload: object, token?: string) {
  return app.inject({
    method: 'POST',
    url,
    payload,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  })
}

/** The token of a received message, asserting it has one. */
export function tokenOf(message: ReceivedEmail): string {
  expect(message.token, message.text).toBeDefined()
  return message.token ?? ''
}

/** The code of a received message, asserting it has one. */
export function codeOf(message: ReceivedEmail): string {
  expect(message.code, message.text).toMatch(/^\d{6}$/)
  return message.code ?? ''
}

/**
 * Registers a user with an address, follows the verification link that arrives at `smtp`, and logs in:
 * a user with a verified address and an access token.
 */
export async function verifiedUser(
  app: FastifyInstance,
  smtp: TestSmtpServer,
  username: string,
  email: string,
): Promise<{ id: string; token: string }> {
  const user = await registerWithEmail(app, username, email)
  const message = await smtp.waitForMessageTo(email)
  const verified = await postJson(app, '/email/verify', { token: tokenOf(message) })
  expect(verified.statusCode, verified.body).toBe(200)
  return { id: user.id, token: (await login(app, username)).access_token }
}
