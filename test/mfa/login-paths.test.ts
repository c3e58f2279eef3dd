import { describe, expect, it } from 'vitest'
import { decodeToken } from '../helpers/tokens.ts'
import { passwordGrant, refresh, registerUser, userWithToken, type Tokens } from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'
import { LENIENT_LIMITS_ENV } from '../helpers/config.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { useTestApp } from '../helpers/hooks.ts'
import {
  attemptSecondFactor,
  codeAt,
  enrollTotp,
  loginExpectingMfa,
  tokenGrant,
  type MfaRequired,
} from '../helpers/mfa.ts'
import { PASSWORD } from '../helpers/users.ts'

const BOUNDARY = 'gatehouse-mfa-boundary'

describe.each(DIALECTS)('every login path asks for the second factor on %s', (dialect) => {
  const testApp = useTestApp(() => createTestApp({ dialect, env: LENIENT_LIMITS_ENV }), 'test')

  async function adaWithTotp() {
    const ada = await userWithToken(testApp.app, 'ada')
    return { ...ada, ...(await enrollTotp(testApp.app, ada.token, testApp.clock)) }
  }

  async function sessionCount(): Promise<number> {
    const rows = await testApp.app.services.db.selectFrom('sessions').select('id').execute()
    return rows.length
  }

  it('JSON, urlencoded and multipart /login answer 403 mfa_required with an mfa_token and nothing else', async () => {
    const { app } = testApp
    await adaWithTotp()
    const sessionsBefore = await sessionCount()
    const form = new URLSearchParams({ username: 'ada', password: PASSWORD }).toString()
    const multipart =
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="username"\r\n\r\nada\r\n` +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="password"\r\n\r\n${PASSWORD}\r\n--${BOUNDARY}--\r\n`
    const responses = [
      await app.inject({ method: 'POST', url: '/login', payload: { username: 'ada', password: PASSWORD } }),
      await app.inject({
        method: 'POST',
        url: '/login',
        payload: form,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      await app.inject({
        method: 'POST',
        url: '/login',
        payload: multipart,
        headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      }),
    ]
    for (const response of responses) {
      expect(response.statusCode, response.body).toBe(403)
      const body = response.json<MfaRequired>()
      expect(Object.keys(body).sort()).toEqual(['code', 'detail', 'methods', 'mfa_token'])
      expect(body).toMatchObject({ detail: 'Second factor required', code: 'mfa_required' })
      expect(body.methods).toEqual(['totp', 'recovery_code'])
      expect(body.mfa_token).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(response.headers['set-cookie']).toBeUndefined()
      expect(response.headers['cache-control']).toBe('no-store')
    }
    expect(await sessionCount()).toBe(sessionsBefore)
    // A wrong password is still the same generic 401: the mfa_required answer needs the right one.
    const wrong = await app.inject({
      method: 'POST',
      url: '/login',
      payload: { username: 'ada', password: 'nope' },
    })
    expect(wrong.statusCode).toBe(401)
  })

  it('the password grant answers 403 {error: mfa_required, error_description, mfa_token}; the mfa grants finish it', async () => {
    const { app, clock } = testApp
    const { key, recoveryCodes } = await adaWithTotp()
    const refused = await passwordGrant(app, 'ada', PASSWORD)
    expect(refused.statusCode).toBe(403)
    const body = refused.json<{ error: string; error_description: string; mfa_token: string }>()
    expect(Object.keys(body).sort()).toEqual(['error', 'error_description', 'mfa_token'])
    expect(body.error).toBe('mfa_required')
    expect(refused.headers['cache-control']).toBe('no-store')

    const missing = await tokenGrant(app, {
      grant_type: 'urn:gatehouse:grant-type:mfa-otp',
      mfa_token: body.mfa_token,
    })
    expect(missing.json()).toMatchObject({ error: 'invalid_request' })
    const wrong = await tokenGrant(app, {
      grant_type: 'urn:gatehouse:grant-type:mfa-otp',
      mfa_token: body.mfa_token,
      otp: '000000',
    })
    expect(wrong.statusCode).toBe(400)
    expect(wrong.json()).toMatchObject({ error: 'invalid_grant' })
    const granted = await tokenGrant(app, {
      grant_type: 'urn:gatehouse:grant-type:mfa-otp',
      mfa_token: body.mfa_token,
      otp: codeAt(key, clock),
    })
    expect(granted.statusCode, granted.body).toBe(200)
    expect(granted.headers['cache-control']).toBe('no-store')
    expect(decodeToken(granted.json<Tokens>().access_token).payload.amr).toEqual(['pwd', 'otp', 'mfa'])

    const second = (await passwordGrant(app, 'ada', PASSWORD)).json<{ mfa_token: string }>()
    const byRecovery = await tokenGrant(app, {
      grant_type: 'urn:gatehouse:grant-type:mfa-recovery-code',
      mfa_token: second.mfa_token,
      // Case, spaces and hyphens do not matter when a code is typed back.
      recovery_code: (recoveryCodes[0] ?? '').toUpperCase().replaceAll('-', ' '),
    })
    expect(byRecovery.statusCode, byRecovery.body).toBe(200)
  })

  it('POST /login/mfa: a code or a recovery code finishes the login; amr and auth_time survive refresh unchanged', async () => {
    const { app, clock } = testApp
    const { key, recoveryCodes } = await adaWithTotp()
    const { mfa_token } = await loginExpectingMfa(app, 'ada')
    const loggedInAt = clock.now()
    const response = await attemptSecondFactor(app, { mfa_token, code: codeAt(key, clock) })
    expect(response.statusCode, response.body).toBe(200)
    expect(response.headers['cache-control']).toBe('no-store')
    const tokens = response.json<Tokens & { device_token: string }>()
    expect(tokens.device_token).toBeDefined()
    const claims = decodeToken(tokens.access_token).payload
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa'])
    expect(claims.auth_time).toBe(Math.floor(loggedInAt / 1000))

    clock.advanceSeconds(600)
    const refreshed = await refresh(app, tokens.refresh_token)
    expect(refreshed.statusCode, refreshed.body).toBe(200)
    const after = decodeToken(refreshed.json<Tokens>().access_token).payload
    expect(after.amr).toEqual(['pwd', 'otp', 'mfa'])
    expect(after.auth_time).toBe(Math.floor(loggedInAt / 1000))

    // A password-only session keeps `pwd` through refresh: a refresh never upgrades what was proved.
    await registerUser(app, 'bob')
    const bob = (
      await app.inject({ method: 'POST', url: '/login', payload: { username: 'bob', password: PASSWORD } })
    ).json<Tokens>()
    expect(decodeToken(bob.access_token).payload.amr).toEqual(['pwd'])
    const bobRefreshed = (await refresh(app, bob.refresh_token)).json<Tokens>()
    expect(decodeToken(bobRefreshed.access_token).payload.amr).toEqual(['pwd'])

    const next = await loginExpectingMfa(app, 'ada')
    const byCode = await attemptSecondFactor(app, {
      mfa_token: next.mfa_token,
      recovery_code: recoveryCodes[1],
    })
    expect(byCode.statusCode, byCode.body).toBe(200)
    // Used once: the same recovery code never works again.
    const again = await loginExpectingMfa(app, 'ada')
    const reused = await attemptSecondFactor(app, {
      mfa_token: again.mfa_token,
      recovery_code: recoveryCodes[1],
    })
    expect(reused.statusCode).toBe(401)
    // Both fields, or neither, is a 422.
    const both = await attemptSecondFactor(app, {
      mfa_token: again.mfa_token,
      code: '123456',
      recovery_code: 'x',
    })
    expect(both.statusCode).toBe(422)
  })

  it('POST /login/mfa answers through the one token reply: cookie mode puts the refresh token in a cookie', async () => {
    const { app, clock } = testApp
    const { key } = await adaWithTotp()
    const { mfa_token } = await loginExpectingMfa(app, 'ada')
    const foreign = await app.inject({
      method: 'POST',
      url: '/login/mfa',
      payload: { mfa_token, code: codeAt(key, clock) },
      headers: { 'gatehouse-refresh': 'cookie', origin: 'http://evil.test' },
    })
    expect(foreign.statusCode).toBe(403)
    expect(foreign.json()).toMatchObject({ code: 'csrf_failed' })
    const response = await app.inject({
      method: 'POST',
      url: '/login/mfa',
      payload: { mfa_token, code: codeAt(key, clock) },
      headers: { 'gatehouse-refresh': 'cookie', origin: 'http://gatehouse.test' },
    })
    expect(response.statusCode, response.body).toBe(200)
    const body = response.json<Record<string, unknown>>()
    expect(body.refresh_token).toBeUndefined()
    expect(body.device_token).toBeUndefined()
    const cookies = ([] as string[]).concat(response.headers['set-cookie'] ?? [])
    expect(
      cookies.some((cookie) => cookie.startsWith('gatehouse_refresh=') && /HttpOnly/i.test(cookie)),
    ).toBe(true)
    expect(cookies.some((cookie) => cookie.startsWith('gatehouse_device='))).toBe(true)
  })

  it('a used code is refused even within its window (replay), and the token lives on for a retry', async () => {
    const { app, clock } = testApp
    const { key } = await adaWithTotp()
    const code = codeAt(key, clock)
    const first = await loginExpectingMfa(app, 'ada')
    expect((await attemptSecondFactor(app, { mfa_token: first.mfa_token, code })).statusCode).toBe(200)
    const second = await loginExpectingMfa(app, 'ada')
    const replay = await attemptSecondFactor(app, { mfa_token: second.mfa_token, code })
    expect(replay.statusCode).toBe(401)
    expect(replay.json()).toMatchObject({ code: 'invalid_credentials' })
    // An older step than the last accepted one is refused as well.
    expect(
      (await attemptSecondFactor(app, { mfa_token: second.mfa_token, code: codeAt(key, clock, -1) }))
        .statusCode,
    ).toBe(401)
    clock.advanceSeconds(30)
    const later = await attemptSecondFactor(app, { mfa_token: second.mfa_token, code: codeAt(key, clock) })
    expect(later.statusCode, later.body).toBe(200)
  })

  it('accepts ±1 step of drift and refuses ±2', async () => {
    const { app, clock } = testApp
    const { key } = await adaWithTotp()
    for (const drift of [-2, 2]) {
      const { mfa_token } = await loginExpectingMfa(app, 'ada')
      expect(
        (await attemptSecondFactor(app, { mfa_token, code: codeAt(key, clock, drift) })).statusCode,
      ).toBe(401)
    }
    for (const drift of [-1, 1]) {
      // Each accepted step must be later than the last; four steps on leave room for a -1.
      clock.advanceSeconds(120)
      const { mfa_token } = await loginExpectingMfa(app, 'ada')
      const response = await attemptSecondFactor(app, { mfa_token, code: codeAt(key, clock, drift) })
      expect(response.statusCode, response.body).toBe(200)
    }
  })

  it('an mfa_token expires after five minutes, dies after five wrong codes, and is not an enrollment token', async () => {
    const { app, clock } = testApp
    const { key } = await adaWithTotp()
    const expiring = await loginExpectingMfa(app, 'ada')
    clock.advanceSeconds(301)
    const late = await attemptSecondFactor(app, { mfa_token: expiring.mfa_token, code: codeAt(key, clock) })
    expect(late.statusCode).toBe(401)
    expect(late.json()).toMatchObject({ code: 'invalid_mfa_token' })

    const guessed = await loginExpectingMfa(app, 'ada')
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect(
        (await attemptSecondFactor(app, { mfa_token: guessed.mfa_token, code: '000000' })).statusCode,
      ).toBe(401)
    }
    const dead = await attemptSecondFactor(app, { mfa_token: guessed.mfa_token, code: codeAt(key, clock) })
    expect(dead.json()).toMatchObject({ code: 'invalid_mfa_token' })

    const enrollment = await app.inject({
      method: 'POST',
      url: '/login/mfa/enroll/totp',
      payload: { mfa_token: (await loginExpectingMfa(app, 'ada')).mfa_token },
    })
    expect(enrollment.statusCode).toBe(401)
  })

  it('an mfa_token is bound to the password it followed: a password change voids it', async () => {
    const { app, clock } = testApp
    const { key, token } = await adaWithTotp()
    const pending = await loginExpectingMfa(app, 'ada')
    const changed = await app.inject({
      method: 'POST',
      url: '/profile/password',
      headers: { authorization: `Bearer ${token}` },
      payload: { current_password: PASSWORD, new_password: 'another good passphrase 7' },
    })
    expect(changed.statusCode, changed.body).toBe(200)
    const response = await attemptSecondFactor(app, {
      mfa_token: pending.mfa_token,
      code: codeAt(key, clock),
    })
    expect(response.json()).toMatchObject({ code: 'invalid_mfa_token' })
  })
})
