import type { FastifyInstance } from 'fastify'
import { Secret } from 'otpauth'
import { expect } from 'vitest'
import { totpCode } from '../../src/services/mfa/totp.ts'
import { callWithToken, postForm, type Tokens } from './api.ts'
import type { ManualClock } from './clock.ts'
import { PASSWORD } from './users.ts'

// Second factors through the public API (issue 12): enroll TOTP, read the code an app would show, and
// finish an mfa_required login.

/** A TOTP factor as the person's app holds it. */
export interface EnrolledTotp {
  key: Buffer
  secret: string
  recoveryCodes: string[]
}

/** The raw key behind a base32 secret, as an authenticator app decodes it. */
export function keyOfSecret(base32: string): Buffer {
  return Buffer.from(Secret.fromBase32(base32).bytes)
}

/** The code an app shows for `key` at the clock's time, `steps` time steps away (drift). */
export function codeAt(key: Buffer, clock: ManualClock, steps = 0): string {
  return totpCode(key, clock.now() + steps * 30_000)
}

/** Enrolls and confirms TOTP for the holder of `token`; asserts both answers. */
export async function enrollTotp(
  app: FastifyInstance,
  token: string,
  clock: ManualClock,
  password = PASSWORD,
): Promise<EnrolledTotp> {
  const started = await callWithToken(app, token, 'POST', '/mfa/totp', { password })
  expect(started.statusCode, started.body).toBe(200)
  const { secret } = started.json<{ secret: string }>()
  const key = keyOfSecret(secret)
  const confirmed = await callWithToken(app, token, 'POST', '/mfa/totp/confirm', { code: codeAt(key, clock) })
  expect(confirmed.statusCode, confirmed.body).toBe(200)
  // The step just used cannot be used again: move on so the next code is a new one.
  clock.advanceSeconds(30)
  return { key, secret, recoveryCodes: confirmed.json<{ recovery_codes: string[] }>().recovery_codes }
}

/** The 403 mfa_required body of /login. */
export interface MfaRequired {
  detail: string
  code: string
  mfa_token: string
  methods: string[]
}

/** POST /login, expecting 403 mfa_required; returns the body. */
export async function loginExpectingMfa(
  app: FastifyInstance,
  username: string,
  password = PASSWORD,
): Promise<MfaRequired> {
  const response = await app.inject({ method: 'POST', url: '/login', payload: { username, password } })
  expect(response.statusCode, response.body).toBe(403)
  return response.json<MfaRequired>()
}

/** POST /login/mfa with a code or a recovery code. */
export function attemptSecondFactor(
  app: FastifyInstance,
  body: { mfa_token: string; code?: string; recovery_code?: string },
  options: { remoteAddress?: string } = {},
) {
  return app.inject({ method: 'POST', url: '/login/mfa', payload: body, ...options })
}

/** POST /login/mfa/enroll/totp: starts TOTP enrollment with the token of a login that must enroll. */
export function attemptEnrollmentStart(app: FastifyInstance, mfaToken: string) {
  return app.inject({ method: 'POST', url: '/login/mfa/enroll/totp', payload: { mfa_token: mfaToken } })
}

/** POST /login/mfa/enroll/totp/confirm: finishes that enrollment (and the login) with a code. */
export function attemptEnrollmentConfirm(app: FastifyInstance, mfaToken: string, code: string) {
  return app.inject({
    method: 'POST',
    url: '/login/mfa/enroll/totp/confirm',
    payload: { mfa_token: mfaToken, code },
  })
}

/** Logs in with password and the current TOTP code; returns the tokens. */
export async function loginWithTotp(
  app: FastifyInstance,
  username: string,
  key: Buffer,
  clock: ManualClock,
): Promise<Tokens> {
  const { mfa_token } = await loginExpectingMfa(app, username)
  const response = await attemptSecondFactor(app, { mfa_token, code: codeAt(key, clock) })
  expect(response.statusCode, response.body).toBe(200)
  clock.advanceSeconds(30)
  return response.json<Tokens>()
}

/** A /token grant with the given parameters. */
export function tokenGrant(app: FastifyInstance, parameters: Record<string, string>) {
  return postForm(app, '/token', new URLSearchParams(parameters).toString())
}
