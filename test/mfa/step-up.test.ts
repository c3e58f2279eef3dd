import { describe, expect, it } from 'vitest'
import { callWithToken, login, registerUser, userWithToken, type Method } from '../helpers/api.ts'
import { createAdminApp } from '../helpers/admin.ts'
import { createTestApp } from '../helpers/app.ts'
import { LENIENT_LIMITS_ENV } from '../helpers/config.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { codeAt, enrollTotp, loginWithTotp } from '../helpers/mfa.ts'
import { ADMIN, PASSWORD } from '../helpers/users.ts'

const MAX_AGE = 60
const ENV = { ...LENIENT_LIMITS_ENV, GATEHOUSE_REAUTH_MAX_AGE: String(MAX_AGE) }

describe.each(DIALECTS)('step-up for sensitive changes on %s', (dialect) => {
  const testApp = useTestApp(() => createTestApp({ dialect, env: ENV }), 'test')

  async function staleTotpSession() {
    const { app, clock } = testApp
    const ada = await userWithToken(app, 'ada')
    const { key } = await enrollTotp(app, ada.token, clock)
    const tokens = await loginWithTotp(app, 'ada', key, clock)
    clock.advanceSeconds(MAX_AGE + 1)
    return { key, token: tokens.access_token }
  }

  /** Sends `body` on a stale session as it is, then again with the current code: step-up's two answers. */
  async function withoutThenWithCode(
    session: { key: Buffer; token: string },
    method: Method,
    url: string,
    body: Record<string, string>,
  ) {
    const { app, clock } = testApp
    const refused = await callWithToken(app, session.token, method, url, body)
    const accepted = await callWithToken(app, session.token, method, url, {
      ...body,
      code: codeAt(session.key, clock),
    })
    return { refused, accepted }
  }

  it('a recent login needs nothing more; past GATEHOUSE_REAUTH_MAX_AGE it is 401 reauthentication_required', async () => {
    const { app, clock } = testApp
    const ada = await userWithToken(app, 'ada')
    await enrollTotp(app, ada.token, clock)
    expect((await callWithToken(app, ada.token, 'POST', '/mfa/recovery-codes')).statusCode).toBe(200)
    // enrollTotp moved the clock one step (30 s) past the login; now exactly MAX_AGE after it.
    clock.advanceSeconds(MAX_AGE - 30)
    expect((await callWithToken(app, ada.token, 'POST', '/mfa/recovery-codes', {})).statusCode).toBe(200)
    clock.advanceSeconds(1)
    const stale = await callWithToken(app, ada.token, 'POST', '/mfa/recovery-codes', {})
    expect(stale.statusCode).toBe(401)
    expect(stale.json()).toMatchObject({ code: 'reauthentication_required' })
  })

  it('a stale session re-proves with the current password plus a code: recovery codes', async () => {
    const { app, clock } = testApp
    const { key, token } = await staleTotpSession()
    const passwordOnly = await callWithToken(app, token, 'POST', '/mfa/recovery-codes', {
      password: PASSWORD,
    })
    expect(passwordOnly.json()).toMatchObject({ code: 'reauthentication_required' })
    const wrongPassword = await callWithToken(app, token, 'POST', '/mfa/recovery-codes', {
      password: 'nope',
      code: codeAt(key, clock),
    })
    expect(wrongPassword.statusCode).toBe(403)
    const wrongCode = await callWithToken(app, token, 'POST', '/mfa/recovery-codes', {
      password: PASSWORD,
      code: '000000',
    })
    expect(wrongCode.statusCode).toBe(401)
    const ok = await callWithToken(app, token, 'POST', '/mfa/recovery-codes', {
      password: PASSWORD,
      code: codeAt(key, clock),
    })
    expect(ok.statusCode, ok.body).toBe(200)
  })

  it('password change and account deletion need step-up on a stale session', async () => {
    const { app, clock } = testApp
    const session = await staleTotpSession()
    const { key, token } = session
    const change = { current_password: PASSWORD, new_password: 'a brand new passphrase 9' }
    const { refused, accepted: changed } = await withoutThenWithCode(
      session,
      'POST',
      '/profile/password',
      change,
    )
    expect(refused.statusCode).toBe(401)
    expect(refused.json()).toMatchObject({ code: 'reauthentication_required' })
    expect(changed.statusCode, changed.body).toBe(200)

    const deleteRefused = await callWithToken(app, token, 'DELETE', '/profile', {
      password: change.new_password,
    })
    expect(deleteRefused.json()).toMatchObject({ code: 'reauthentication_required' })
    clock.advanceSeconds(30)
    const deleted = await callWithToken(app, token, 'DELETE', '/profile', {
      password: change.new_password,
      code: codeAt(key, clock),
    })
    expect(deleted.statusCode, deleted.body).toBe(204)
  })

  it('an email change needs step-up on a stale session (issue 11 meets issue 12)', async () => {
    const session = await staleTotpSession()
    const change = { email: 'ada.new@example.com', password: PASSWORD }
    const { refused, accepted } = await withoutThenWithCode(session, 'PUT', '/profile/email', change)
    expect(refused.statusCode).toBe(401)
    expect(refused.json()).toMatchObject({ code: 'reauthentication_required' })
    expect(accepted.statusCode, accepted.body).toBe(202)
  })

  it('an account whose only factor is a passkey signs in again: its password alone is not a fresh login', async () => {
    const { app, clock } = testApp
    const carol = await userWithToken(app, 'carol')
    // A stored passkey row is all the check reads; the Chromium test registers real ones.
    await app.services.db
      .insertInto('webauthn_credentials')
      .values({
        id: 'passkey-1',
        user_id: carol.id,
        credential_id: 'AAAA',
        public_key: 'AAAA',
        counter: 0,
        transports: '[]',
        device_type: 'singleDevice',
        backed_up: 0,
        name: 'Phone',
        created_at: clock.now(),
        last_used_at: null,
      })
      .execute()
    clock.advanceSeconds(MAX_AGE + 1)
    const refused = await callWithToken(app, carol.token, 'POST', '/mfa/recovery-codes', {
      password: PASSWORD,
    })
    expect(refused.statusCode).toBe(401)
    expect(refused.json()).toMatchObject({ code: 'reauthentication_required' })
  })

  it('passkey registration needs step-up; an account without a factor re-proves with its password alone', async () => {
    const { app, clock } = testApp
    const { token } = await staleTotpSession()
    const options = await callWithToken(app, token, 'POST', '/webauthn/register/options', {})
    expect(options.json()).toMatchObject({ code: 'reauthentication_required' })

    await registerUser(app, 'bob')
    const bob = await login(app, 'bob')
    clock.advanceSeconds(MAX_AGE + 1)
    const change = { current_password: PASSWORD, new_password: 'bob has a new passphrase 3' }
    expect((await callWithToken(app, bob.access_token, 'POST', '/profile/password', change)).statusCode).toBe(
      200,
    )
    const bobOptions = await callWithToken(app, bob.access_token, 'POST', '/webauthn/register/options', {
      password: change.new_password,
    })
    expect(bobOptions.statusCode, bobOptions.body).toBe(200)
  })
})

describe.each(DIALECTS)('step-up for admin role changes on %s', (dialect) => {
  it('a role change by an admin whose login is stale needs the admin’s password', async () => {
    const admin = await createAdminApp(dialect, ENV)
    const { app, clock } = admin
    try {
      const bob = await userWithToken(app, 'bob')
      clock.advanceSeconds(MAX_AGE + 1)
      const refused = await callWithToken(app, admin.rootToken, 'PATCH', `/admin/users/${bob.id}`, {
        role: 'admin',
      })
      expect(refused.statusCode).toBe(401)
      expect(refused.json()).toMatchObject({ code: 'reauthentication_required' })
      // Disabling is not a role change and needs no step-up.
      const disabled = await callWithToken(app, admin.rootToken, 'PATCH', `/admin/users/${bob.id}`, {
        disabled: true,
      })
      expect(disabled.statusCode).toBe(200)
      const promoted = await callWithToken(app, admin.rootToken, 'PATCH', `/admin/users/${bob.id}`, {
        role: 'admin',
        current_password: ADMIN.password,
      })
      expect(promoted.statusCode, promoted.body).toBe(200)
    } finally {
      await admin.close()
    }
  })
})
