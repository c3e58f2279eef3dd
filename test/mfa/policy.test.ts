import bcrypt from 'bcryptjs'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { importUsers } from '../../src/services/import/importer.ts'
import { openJsonl } from '../../src/services/import/jsonl.ts'
import type { FastifyInstance } from 'fastify'
import {
  attemptLogin,
  callWithToken,
  login,
  passwordGrant,
  refresh,
  registerUser,
  type Tokens,
} from '../helpers/api.ts'
import type { ManualClock } from '../helpers/clock.ts'
import { LENIENT_LIMITS_ENV } from '../helpers/config.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { temporaryDirectory } from '../helpers/files.ts'
import { closedAfterEach } from '../helpers/hooks.ts'
import {
  attemptEnrollmentConfirm,
  attemptEnrollmentStart,
  attemptSecondFactor,
  codeAt,
  keyOfSecret,
  loginExpectingMfa,
} from '../helpers/mfa.ts'
import { decodeToken } from '../helpers/tokens.ts'
import { ADMIN, ADMIN_ENV, PASSWORD } from '../helpers/users.ts'

const directory = temporaryDirectory('mfa-policy')

/**
 * Signs ADMIN in under a policy that makes it enroll, enrolls TOTP through the login's enrollment door
 * and returns the access token that the enrollment ends with.
 */
async function enrollAdminAtLogin(app: FastifyInstance, clock: ManualClock): Promise<string> {
  const first = await attemptLogin(app, ADMIN.username, ADMIN.password)
  const { mfa_token } = first.json<{ mfa_token: string }>()
  const enrollment = await attemptEnrollmentStart(app, mfa_token)
  const key = keyOfSecret(enrollment.json<{ secret: string }>().secret)
  const confirmed = await attemptEnrollmentConfirm(app, mfa_token, codeAt(key, clock))
  return confirmed.json<Tokens>().access_token
}

describe.each(DIALECTS)('GATEHOUSE_MFA policy modes on %s', (dialect) => {
  const started = closedAfterEach()
  /** An app under the policy `mode` whose bootstrap admin is ADMIN. */
  const appWithAdmin = (mode: 'required' | 'required-for-admins') =>
    started.app({ dialect, env: { ...LENIENT_LIMITS_ENV, GATEHOUSE_MFA: mode, ...ADMIN_ENV } })

  it('required: a correct password yields 403 mfa_enrollment_required with a token that only enrolls', async () => {
    const { app, clock } = await started.app({
      dialect,
      env: { ...LENIENT_LIMITS_ENV, GATEHOUSE_MFA: 'required' },
    })
    await registerUser(app, 'ada')
    const response = await attemptLogin(app, 'ada', PASSWORD)
    expect(response.statusCode).toBe(403)
    const body = response.json<{ code: string; mfa_token: string; detail: string }>()
    expect(Object.keys(body).sort()).toEqual(['code', 'detail', 'mfa_token'])
    expect(body.code).toBe('mfa_enrollment_required')
    expect(await app.services.db.selectFrom('sessions').selectAll().execute()).toHaveLength(0)
    // The enrollment token is no mfa_token, and no bearer token either.
    expect((await attemptSecondFactor(app, { mfa_token: body.mfa_token, code: '123456' })).statusCode).toBe(
      401,
    )
    expect((await callWithToken(app, body.mfa_token, 'GET', '/profile')).statusCode).toBe(401)
    const grant = await passwordGrant(app, 'ada', PASSWORD)
    expect(grant.statusCode).toBe(403)
    expect(grant.json()).toMatchObject({ error: 'mfa_enrollment_required' })

    const enrollment = await attemptEnrollmentStart(app, body.mfa_token)
    expect(enrollment.statusCode, enrollment.body).toBe(200)
    const key = keyOfSecret(enrollment.json<{ secret: string }>().secret)
    const wrong = await attemptEnrollmentConfirm(app, body.mfa_token, '000000')
    expect(wrong.statusCode).toBe(401)
    const confirmed = await attemptEnrollmentConfirm(app, body.mfa_token, codeAt(key, clock))
    expect(confirmed.statusCode, confirmed.body).toBe(200)
    const tokens = confirmed.json<Tokens & { recovery_codes: string[] }>()
    expect(tokens.recovery_codes).toHaveLength(10)
    expect(decodeToken(tokens.access_token).payload.amr).toEqual(['pwd', 'otp', 'mfa'])
    // Used once, and from now on the account asks for its factor.
    clock.advanceSeconds(30)
    const reuse = await attemptEnrollmentConfirm(app, body.mfa_token, codeAt(key, clock))
    expect(reuse.statusCode).toBe(401)
    expect((await loginExpectingMfa(app, 'ada')).code).toBe('mfa_required')
  })

  it('required: admin-created and imported users meet the same door', async () => {
    const { app, clock } = await appWithAdmin('required')
    // The bootstrap admin enrolls through the enrollment door, like anyone.
    const rootToken = await enrollAdminAtLogin(app, clock)
    const created = await callWithToken(app, rootToken, 'POST', '/admin/users', {
      username: 'made',
      password: PASSWORD,
    })
    expect(created.statusCode, created.body).toBe(201)
    const path = join(directory, `users-${dialect}.jsonl`)
    writeFileSync(
      path,
      `${JSON.stringify({ username: 'moved', password_hash: bcrypt.hashSync(PASSWORD, 4) })}\n`,
    )
    const summary = await importUsers(app.services, await openJsonl(path), {
      dryRun: false,
      onConflict: 'skip',
    })
    expect(summary.imported).toBe(1)
    for (const username of ['made', 'moved']) {
      const response = await attemptLogin(app, username, PASSWORD)
      expect(response.statusCode, `${username}: ${response.body}`).toBe(403)
      expect(response.json()).toMatchObject({ code: 'mfa_enrollment_required' })
      const grant = await passwordGrant(app, username, PASSWORD)
      expect(grant.json()).toMatchObject({ error: 'mfa_enrollment_required' })
    }
  })

  it('required-for-admins: users sign in with the password, admins must enroll', async () => {
    const { app } = await appWithAdmin('required-for-admins')
    await registerUser(app, 'ada')
    await login(app, 'ada')
    const admin = await attemptLogin(app, ADMIN.username, ADMIN.password)
    expect(admin.statusCode).toBe(403)
    expect(admin.json()).toMatchObject({ code: 'mfa_enrollment_required' })
  })

  it('a session without a second factor is not renewed once policy requires one of the account', async () => {
    const { app, clock } = await appWithAdmin('required-for-admins')
    const rootToken = await enrollAdminAtLogin(app, clock)
    const bobId = (await registerUser(app, 'bob')).id
    const bob = await login(app, 'bob')
    expect((await refresh(app, bob.refresh_token)).statusCode).toBe(200)
    const second = await login(app, 'bob')
    const promoted = await callWithToken(app, rootToken, 'PATCH', `/admin/users/${bobId}`, { role: 'admin' })
    expect(promoted.statusCode, promoted.body).toBe(200)
    // Bob is an admin now: his password-only session cannot be renewed, and his next login must enroll.
    const renewed = await refresh(app, second.refresh_token)
    expect(renewed.statusCode).toBe(400)
    expect(renewed.json()).toMatchObject({ error: 'invalid_grant' })
    const next = await attemptLogin(app, 'bob', PASSWORD)
    expect(next.json()).toMatchObject({ code: 'mfa_enrollment_required' })
  })

  it('optional (the default): an account without a factor signs in with the password alone', async () => {
    const { app } = await started.app({ dialect })
    await registerUser(app, 'ada')
    const tokens = await login(app, 'ada')
    expect(decodeToken(tokens.access_token).payload.amr).toEqual(['pwd'])
  })
})
