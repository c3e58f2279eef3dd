import { describe, expect, it } from 'vitest'
import { settlePasswordResetRequests } from '../../src/services/email/forgot-password.ts'
import { passwordGrant } from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'
import { LENIENT_LIMITS_ENV } from '../helpers/config.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { postJson, tokenOf, verifiedUser } from '../helpers/email.ts'
import { useRunning, useTestApp } from '../helpers/hooks.ts'
import { attemptSecondFactor, codeAt, enrollTotp } from '../helpers/mfa.ts'
import { startSmtpServer } from '../helpers/smtp.ts'
import { PASSWORD } from '../helpers/users.ts'

const NEW_PASSWORD = 'a brand new passphrase 42'

for (const dialect of DIALECTS) {
  describe(`the second factor on the email paths (${dialect})`, () => {
    const smtp = useRunning(startSmtpServer)
    const testApp = useTestApp(
      () => createTestApp({ dialect, env: { ...LENIENT_LIMITS_ENV, ...smtp.env() } }),
      'test',
    )

    it('login by email address asks for the factor, and a password reset signs nobody in', async () => {
      const { app, clock } = testApp
      const { token } = await verifiedUser(app, smtp, 'rita', 'rita@example.com')
      const { key } = await enrollTotp(app, token, clock)

      const byEmail = await app.inject({
        method: 'POST',
        url: '/login',
        payload: { username: 'rita@example.com', password: PASSWORD },
      })
      expect(byEmail.statusCode, byEmail.body).toBe(403)
      expect(byEmail.json()).toMatchObject({ code: 'mfa_required' })
      const grant = await passwordGrant(app, 'rita@example.com', PASSWORD)
      expect(grant.json()).toMatchObject({ error: 'mfa_required' })

      expect((await postJson(app, '/password/forgot', { email: 'rita@example.com' })).statusCode).toBe(202)
      await settlePasswordResetRequests(app.services)
      const message = await smtp.waitForMessageTo('rita@example.com', 2)
      const reset = await postJson(app, '/password/reset', {
        token: tokenOf(message),
        new_password: NEW_PASSWORD,
      })
      expect(reset.statusCode, reset.body).toBe(200)
      const body = reset.json<Record<string, unknown>>()
      expect(body.access_token).toBeUndefined()
      expect(body.refresh_token).toBeUndefined()
      expect(reset.headers['set-cookie']).toBeUndefined()

      // The new password leads to the second factor, never straight to tokens.
      const after = await app.inject({
        method: 'POST',
        url: '/login',
        payload: { username: 'rita', password: NEW_PASSWORD },
      })
      expect(after.statusCode).toBe(403)
      const { mfa_token } = after.json<{ mfa_token: string }>()
      const finished = await attemptSecondFactor(app, { mfa_token, code: codeAt(key, clock) })
      expect(finished.statusCode, finished.body).toBe(200)
    })
  })
}
