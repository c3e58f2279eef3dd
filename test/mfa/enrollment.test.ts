import { describe, expect, it } from 'vitest'
import { callWithToken, login, refresh, userWithToken } from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'
import { LENIENT_LIMITS_ENV } from '../helpers/config.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { codeAt, enrollTotp, keyOfSecret, loginExpectingMfa, loginWithTotp } from '../helpers/mfa.ts'
import { PASSWORD } from '../helpers/users.ts'

describe.each(DIALECTS)('TOTP enrollment on %s', (dialect) => {
  const testApp = useTestApp(() => createTestApp({ dialect, env: LENIENT_LIMITS_ENV }), 'test')

  it('starts with the password, activates only with a code, and shows ten recovery codes once', async () => {
    const { app, clock } = testApp
    const ada = await userWithToken(app, 'ada')
    expect((await callWithToken(app, ada.token, 'POST', '/mfa/totp', { password: 'wrong' })).statusCode).toBe(
      403,
    )
    const started = await callWithToken(app, ada.token, 'POST', '/mfa/totp', { password: PASSWORD })
    expect(started.statusCode, started.body).toBe(200)
    const body = started.json<{ secret: string; otpauth_uri: string; qr_svg: string }>()
    expect(body.secret).toMatch(/^[A-Z2-7]{32}$/)
    const uri = new URL(body.otpauth_uri)
    expect(uri.protocol).toBe('otpauth:')
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({
      secret: body.secret,
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    })
    expect(body.qr_svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/)

    // Nothing is active yet: the password alone still signs in, and GET /mfa says so.
    await login(app, 'ada')
    const before = await callWithToken(app, ada.token, 'GET', '/mfa')
    expect(before.json()).toMatchObject({ totp: { enabled: false }, recovery_codes_remaining: 0 })

    const key = keyOfSecret(body.secret)
    const wrong = await callWithToken(app, ada.token, 'POST', '/mfa/totp/confirm', { code: '000000' })
    expect(wrong.statusCode).toBe(401)
    const confirmed = await callWithToken(app, ada.token, 'POST', '/mfa/totp/confirm', {
      code: codeAt(key, clock),
    })
    expect(confirmed.statusCode, confirmed.body).toBe(200)
    const codes = confirmed.json<{ recovery_codes: string[] }>().recovery_codes
    expect(codes).toHaveLength(10)
    expect(new Set(codes).size).toBe(10)
    for (const code of codes) expect(code).toMatch(/^[0-9a-z]{4}(-[0-9a-z]{4}){3}$/)

    const after = await callWithToken(app, ada.token, 'GET', '/mfa')
    expect(after.json()).toMatchObject({ totp: { enabled: true }, recovery_codes_remaining: 10 })
    // Stored only as hashes, and the secret only sealed.
    const { db } = app.services
    const stored = await db.selectFrom('recovery_codes').select('code_hash').execute()
    expect(stored.map((row) => row.code_hash)).not.toEqual(expect.arrayContaining([codes[0]]))
    const factor = await db.selectFrom('totp_factors').selectAll().executeTakeFirstOrThrow()
    expect(factor.secret_sealed).not.toContain(body.secret)
    expect(factor.secret_sealed).not.toContain(key.toString('base64url'))
    // A second enrollment while TOTP is active is refused.
    const again = await callWithToken(app, ada.token, 'POST', '/mfa/totp', { password: PASSWORD })
    expect(again.statusCode).toBe(409)
  })

  it('enrolling revokes the account’s other sessions; the enrolling session stays with its amr', async () => {
    const { app, clock } = testApp
    const ada = await userWithToken(app, 'ada')
    const other = await login(app, 'ada')
    await enrollTotp(app, ada.token, clock)
    // The policy: a session opened with the password alone does not outlive the account's new factor.
    expect((await refresh(app, other.refresh_token)).statusCode).toBe(400)
    expect((await callWithToken(app, other.access_token, 'GET', '/profile')).statusCode).toBe(401)
    const kept = await refresh(app, ada.refreshToken)
    expect(kept.statusCode, kept.body).toBe(200)
  })

  it('regenerates recovery codes (old ones die) and disables TOTP with password and code', async () => {
    const { app, clock } = testApp
    const ada = await userWithToken(app, 'ada')
    const { key, recoveryCodes } = await enrollTotp(app, ada.token, clock)
    const fresh = await callWithToken(app, ada.token, 'POST', '/mfa/recovery-codes')
    expect(fresh.statusCode, fresh.body).toBe(200)
    const newCodes = fresh.json<{ recovery_codes: string[] }>().recovery_codes
    expect(newCodes).toHaveLength(10)
    const { mfa_token } = await loginExpectingMfa(app, 'ada')
    const old = await app.inject({
      method: 'POST',
      url: '/login/mfa',
      payload: { mfa_token, recovery_code: recoveryCodes[0] },
    })
    expect(old.statusCode).toBe(401)

    const tokens = await loginWithTotp(app, 'ada', key, clock)
    const missingCode = await callWithToken(app, tokens.access_token, 'DELETE', '/mfa/totp', {
      password: PASSWORD,
    })
    expect(missingCode.statusCode).toBe(422)
    const badCode = await callWithToken(app, tokens.access_token, 'DELETE', '/mfa/totp', {
      password: PASSWORD,
      code: '123456',
    })
    expect(badCode.statusCode).toBe(401)
    const disabled = await callWithToken(app, tokens.access_token, 'DELETE', '/mfa/totp', {
      password: PASSWORD,
      code: codeAt(key, clock),
    })
    expect(disabled.statusCode, disabled.body).toBe(200)
    expect(disabled.json<{ revoked_sessions: number }>().revoked_sessions).toBeGreaterThanOrEqual(1)
    // The password alone signs in again, and the recovery codes are gone with the last factor.
    await login(app, 'ada')
    const summary = await callWithToken(app, tokens.access_token, 'GET', '/mfa')
    expect(summary.json()).toMatchObject({ totp: { enabled: false }, recovery_codes_remaining: 0 })
  })
})
