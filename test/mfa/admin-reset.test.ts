import { describe, expect, it } from 'vitest'
import { callWithToken, login, refresh, userWithToken } from '../helpers/api.ts'
import { createAdminApp } from '../helpers/admin.ts'
import { LENIENT_LIMITS_ENV } from '../helpers/config.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { attemptSecondFactor, enrollTotp, loginExpectingMfa, loginWithTotp } from '../helpers/mfa.ts'

describe.each(DIALECTS)('second factors and administration on %s', (dialect) => {
  const testApp = useTestApp(() => createAdminApp(dialect, LENIENT_LIMITS_ENV), 'test')

  it('admins see a user’s factors and reset them: audited, and every session of the user ends', async () => {
    const { app, clock, rootToken } = testApp
    const ada = await userWithToken(app, 'ada')
    const { key } = await enrollTotp(app, ada.token, clock)
    const session = await loginWithTotp(app, 'ada', key, clock)

    const view = await callWithToken(app, rootToken, 'GET', `/admin/users/${ada.id}`)
    expect(view.statusCode).toBe(200)
    expect(view.json()).toMatchObject({
      mfa: { totp: { enabled: true }, recovery_codes_remaining: 10, webauthn: [] },
    })
    expect(view.body).not.toMatch(/secret|code_hash/)

    // Not for other users.
    const bob = await userWithToken(app, 'bob')
    expect((await callWithToken(app, bob.token, 'DELETE', `/admin/users/${ada.id}/mfa`)).statusCode).toBe(403)
    expect((await callWithToken(app, rootToken, 'DELETE', '/admin/users/nobody/mfa')).statusCode).toBe(404)

    const reset = await callWithToken(app, rootToken, 'DELETE', `/admin/users/${ada.id}/mfa`)
    expect(reset.statusCode, reset.body).toBe(200)
    expect(reset.json<{ revoked_sessions: number }>().revoked_sessions).toBeGreaterThanOrEqual(2)
    expect((await refresh(app, session.refresh_token)).statusCode).toBe(400)
    expect((await callWithToken(app, ada.token, 'GET', '/profile')).statusCode).toBe(401)
    // The password alone signs in again (policy optional), and the factors are gone.
    await login(app, 'ada')
    const after = await callWithToken(app, rootToken, 'GET', `/admin/users/${ada.id}`)
    expect(after.json()).toMatchObject({ mfa: { totp: { enabled: false }, recovery_codes_remaining: 0 } })
  })

  it('audits every enrollment, recovery-code use, failure and reset, without secrets', async () => {
    const { app, clock, rootToken } = testApp
    const ada = await userWithToken(app, 'ada')
    const { recoveryCodes, secret } = await enrollTotp(app, ada.token, clock)
    const first = await loginExpectingMfa(app, 'ada')
    await attemptSecondFactor(app, { mfa_token: first.mfa_token, code: '000000' })
    await attemptSecondFactor(app, { mfa_token: first.mfa_token, recovery_code: recoveryCodes[0] })
    await callWithToken(app, rootToken, 'DELETE', `/admin/users/${ada.id}/mfa`)

    const rows = await app.services.db
      .selectFrom('audit_events')
      .selectAll()
      .where('target_user_id', '=', ada.id)
      .where('action', 'like', '%mfa%')
      .orderBy('at')
      .orderBy('id')
      .execute()
    expect(rows.map((row) => `${row.action} ${row.outcome}`)).toEqual([
      'mfa.totp.enroll success',
      'mfa.totp.enable success',
      'mfa.failure failure',
      'mfa.recovery_code.use success',
      'admin.user.mfa_reset success',
    ])
    const text = JSON.stringify(rows)
    expect(text).not.toContain(secret)
    for (const code of recoveryCodes) expect(text).not.toContain(code)
  })
})
