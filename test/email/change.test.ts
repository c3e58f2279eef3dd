import { describe, expect, it } from 'vitest'
import { attemptLogin, callWithToken, login } from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { codeOf, postJson, tokenOf, verifiedUser } from '../helpers/email.ts'
import { useRunning, useTestApp } from '../helpers/hooks.ts'
import { outboxMessagesOf } from '../helpers/rows.ts'
import { startSmtpServer } from '../helpers/smtp.ts'
import { PASSWORD } from '../helpers/users.ts'

for (const dialect of DIALECTS) {
  describe(`email change on ${dialect}`, () => {
    const smtp = useRunning(startSmtpServer)
    const testApp = useTestApp(() => createTestApp({ dialect, env: smtp.env() }), 'test')
    const changeEmail = (token: string, email: string, password = PASSWORD) =>
      callWithToken(testApp.app, token, 'PUT', '/profile/email', { email, password })

    it('needs the current password, notifies the old address and takes effect only when the new one is confirmed', async () => {
      const { app } = testApp
      const { token } = await verifiedUser(app, smtp, 'mover', 'old@example.com')
      const wrong = await changeEmail(token, 'new@example.com', 'not my password at all')
      expect(wrong.statusCode).toBe(403)
      expect(wrong.headers['ratelimit-limit']).toBeDefined()

      const accepted = await changeEmail(token, 'new@example.com')
      expect(accepted.statusCode, accepted.body).toBe(202)
      const notice = await smtp.waitForMessageTo('old@example.com', 2)
      expect(notice.subject).toMatch(/being changed/)
      expect(notice.text).toContain('new@example.com')
      expect(notice.token).toBeUndefined()
      const confirm = await smtp.waitForMessageTo('new@example.com')
      expect(confirm.link).toMatch(/\/ui\/verify-email#token=/)

      // Not yet: the old address still signs in, the new one does not.
      const profile = await callWithToken(app, token, 'GET', '/profile')
      expect(profile.json()).toMatchObject({ email: 'old@example.com', email_verified: true })
      expect((await attemptLogin(app, 'new@example.com', PASSWORD)).statusCode).toBe(401)

      const confirmed = await postJson(app, '/email/verify', { token: tokenOf(confirm) })
      expect(confirmed.statusCode, confirmed.body).toBe(200)
      expect(confirmed.json()).toMatchObject({ email: 'new@example.com', email_verified: true })
      expect((await attemptLogin(app, 'new@example.com', PASSWORD)).statusCode).toBe(200)
      expect((await attemptLogin(app, 'old@example.com', PASSWORD)).statusCode).toBe(401)
    })

    it('confirms by code with the bearer token', async () => {
      const { app } = testApp
      const { token } = await verifiedUser(app, smtp, 'coder', 'coder-old@example.com')
      expect((await changeEmail(token, 'coder-new@example.com')).statusCode).toBe(202)
      const confirm = await smtp.waitForMessageTo('coder-new@example.com')
      const confirmed = await postJson(app, '/email/verify', { code: codeOf(confirm) }, token)
      expect(confirmed.statusCode, confirmed.body).toBe(200)
      expect(confirmed.json()).toMatchObject({ email: 'coder-new@example.com', email_verified: true })
    })

    it('a verification link for an address the account has since replaced verifies nothing', async () => {
      const { app } = testApp
      const registered = await app.inject({
        method: 'POST',
        url: '/register',
        payload: { username: 'switcher', password: PASSWORD, email: 'first@example.com' },
      })
      expect(registered.statusCode).toBe(201)
      const stale = await smtp.waitForMessageTo('first@example.com')
      const token = (await login(app, 'switcher')).access_token
      expect((await changeEmail(token, 'second@example.com')).statusCode).toBe(202)
      const confirm = await smtp.waitForMessageTo('second@example.com')
      expect((await postJson(app, '/email/verify', { token: tokenOf(confirm) })).statusCode).toBe(200)
      const refused = await postJson(app, '/email/verify', { token: tokenOf(stale) })
      expect(refused.statusCode).toBe(400)
      expect((await callWithToken(app, token, 'GET', '/profile')).json()).toMatchObject({
        email: 'second@example.com',
      })
    })

    it('counts confirmations against the per-account quota (10 an hour); the answer stays 202', async () => {
      const { app } = testApp
      const { token } = await verifiedUser(app, smtp, 'hopper', 'hopper@example.com')
      for (let index = 0; index < 12; index++) {
        expect((await changeEmail(token, `hop${index}@example.com`)).statusCode).toBe(202)
      }
      const confirmations = await outboxMessagesOf(app, 'email_change_confirm')
      // The registration's verification message was the account's first of ten.
      expect(confirmations).toHaveLength(9)
    })

    it('refuses an address another account holds verified (409), and a malformed one (422)', async () => {
      const { app } = testApp
      await verifiedUser(app, smtp, 'holder', 'taken@example.com')
      const { token } = await verifiedUser(app, smtp, 'wanter', 'wanter@example.com')
      const taken = await changeEmail(token, 'TAKEN@example.com')
      expect(taken.statusCode).toBe(409)
      expect(taken.json()).toMatchObject({ code: 'email_taken' })
      expect((await changeEmail(token, 'not-an-address')).statusCode).toBe(422)
    })
  })
}
