import { describe, expect, it } from 'vitest'
import { attemptLogin, userWithToken } from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'
import { LENIENT_LIMITS_ENV } from '../helpers/config.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { PASSWORD } from '../helpers/users.ts'
import { attemptSecondFactor, codeAt, enrollTotp, loginExpectingMfa, tokenGrant } from '../helpers/mfa.ts'
import { auditEventsOf, usedRecoveryCodes } from '../helpers/rows.ts'

const PARALLEL = 10

function statuses(responses: Array<{ statusCode: number }>): number[] {
  return responses.map((response) => response.statusCode)
}

describe.each(DIALECTS)('second-factor races on %s', (dialect) => {
  const testApp = useTestApp(() => createTestApp({ dialect, env: LENIENT_LIMITS_ENV }), 'test')

  async function adaWithTotp() {
    const ada = await userWithToken(testApp.app, 'ada')
    return enrollTotp(testApp.app, ada.token, testApp.clock)
  }

  it('10 parallel uses of one recovery code (each with its own mfa_token): exactly one login', async () => {
    const { app } = testApp
    const { recoveryCodes } = await adaWithTotp()
    const tokens = await Promise.all(Array.from({ length: PARALLEL }, () => loginExpectingMfa(app, 'ada')))
    const responses = await Promise.all(
      tokens.map(({ mfa_token }) => attemptSecondFactor(app, { mfa_token, recovery_code: recoveryCodes[0] })),
    )
    expect(statuses(responses).filter((status) => status === 200)).toHaveLength(1)
    expect(statuses(responses).filter((status) => status === 401)).toHaveLength(PARALLEL - 1)
    const used = await usedRecoveryCodes(app)
    expect(used).toHaveLength(1)
  })

  it('10 parallel uses of one mfa_token, each with a different valid recovery code: exactly one login', async () => {
    const { app } = testApp
    const { recoveryCodes } = await adaWithTotp()
    const { mfa_token } = await loginExpectingMfa(app, 'ada')
    const responses = await Promise.all(
      recoveryCodes.map((recovery_code) => attemptSecondFactor(app, { mfa_token, recovery_code })),
    )
    expect(statuses(responses).filter((status) => status === 200)).toHaveLength(1)
    for (const response of responses.filter((each) => each.statusCode !== 200)) {
      expect(response.json()).toMatchObject({ code: 'invalid_mfa_token' })
    }
    // The losers' codes were not spent: the one transaction that used the token used one code.
    const used = await usedRecoveryCodes(app)
    expect(used).toHaveLength(1)
  })

  it('10 parallel uses of one mfa_token and one TOTP code over /token: exactly one token pair', async () => {
    const { app, clock } = testApp
    const { key } = await adaWithTotp()
    const { mfa_token } = await loginExpectingMfa(app, 'ada')
    const otp = codeAt(key, clock)
    const responses = await Promise.all(
      Array.from({ length: PARALLEL }, () =>
        tokenGrant(app, { grant_type: 'urn:gatehouse:grant-type:mfa-otp', mfa_token, otp }),
      ),
    )
    expect(statuses(responses).filter((status) => status === 200)).toHaveLength(1)
    const sessions = await app.services.db
      .selectFrom('sessions')
      .select('amr')
      .where('amr', 'like', '%otp%')
      .execute()
    // The enrolling session proved the password only; the one login proved the code.
    expect(sessions).toHaveLength(1)
  })
})

describe.each(DIALECTS)('wrong codes and the login throttle on %s', (dialect) => {
  const testApp = useTestApp(
    () =>
      createTestApp({
        dialect,
        env: { GATEHOUSE_LOGIN_MAX_FAILURES: '3', GATEHOUSE_REGISTER_PER_IP_PER_HOUR: '1000' },
      }),
    'test',
  )

  it('wrong codes count under the account’s login throttle: after three, even the right code waits (429)', async () => {
    const { app, clock } = testApp
    const ada = await userWithToken(app, 'ada')
    const { key } = await enrollTotp(app, ada.token, clock)
    // One mfa_token per try, so the token's own five tries are not what stops this.
    const pending = []
    for (let attempt = 0; attempt < 4; attempt += 1) pending.push(await loginExpectingMfa(app, 'ada'))
    for (const { mfa_token } of pending.slice(0, 3)) {
      const wrong = await attemptSecondFactor(app, { mfa_token, code: '000000' })
      expect(wrong.statusCode).toBe(401)
    }
    const right = await attemptSecondFactor(app, {
      mfa_token: pending[3]?.mfa_token ?? '',
      code: codeAt(key, clock),
    })
    expect(right.statusCode).toBe(429)
    expect(right.headers['retry-after']).toBeDefined()
    const login = await attemptLogin(app, 'ada', PASSWORD)
    expect(login.statusCode).toBe(429)
    const audit = await auditEventsOf(app, 'mfa.failure')
    expect(audit).toHaveLength(3)
  })

  it('a device token of the account keeps the real user out of that backoff (OWASP device cookies)', async () => {
    const { app, clock } = testApp
    const ada = await userWithToken(app, 'ada')
    const { key } = await enrollTotp(app, ada.token, clock)
    const own = await loginExpectingMfa(app, 'ada')
    const first = await attemptSecondFactor(app, { mfa_token: own.mfa_token, code: codeAt(key, clock) })
    const deviceToken = first.json<{ device_token: string }>().device_token
    clock.advanceSeconds(30)
    // Someone who knows the password guesses codes from elsewhere until the account backs off.
    const stolen = []
    for (let attempt = 0; attempt < 3; attempt += 1) stolen.push(await loginExpectingMfa(app, 'ada'))
    for (const { mfa_token } of stolen) await attemptSecondFactor(app, { mfa_token, code: '000000' })
    const device = { 'gatehouse-device': deviceToken }
    const login = await app.inject({
      method: 'POST',
      url: '/login',
      payload: { username: 'ada', password: PASSWORD },
      headers: device,
    })
    expect(login.statusCode, login.body).toBe(403)
    const { mfa_token } = login.json<{ mfa_token: string }>()
    const withoutDevice = await attemptSecondFactor(app, { mfa_token, code: codeAt(key, clock) })
    expect(withoutDevice.statusCode).toBe(429)
    const withDevice = await app.inject({
      method: 'POST',
      url: '/login/mfa',
      payload: { mfa_token, code: codeAt(key, clock) },
      headers: device,
    })
    expect(withDevice.statusCode, withDevice.body).toBe(200)
  })
})
