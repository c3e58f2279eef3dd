import { describe, expect, it } from 'vitest'
import { attemptLogin, callWithToken, login, profileStatus } from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { codeOf, postJson, registerWithEmail, tokenOf, verifiedUser } from '../helpers/email.ts'
import { useRunning, useTestApp } from '../helpers/hooks.ts'
import { outboxMessagesOf } from '../helpers/rows.ts'
import { startSmtpServer } from '../helpers/smtp.ts'
import { PASSWORD } from '../helpers/users.ts'
import {
  FORGOT_PASSWORD_FLOOR_MS,
  settlePasswordResetRequests,
} from '../../src/services/email/forgot-password.ts'

const NEW_PASSWORD = 'a brand new passphrase 42'

for (const dialect of DIALECTS) {
  describe(`password reset by email on ${dialect}`, () => {
    const smtp = useRunning(startSmtpServer)
    const testApp = useTestApp(() => createTestApp({ dialect, env: smtp.env() }), 'test')

    const forgot = (payload: object, remoteAddress = '127.0.0.1') =>
      testApp.app.inject({ method: 'POST', url: '/password/forgot', payload, remoteAddress })
    const resetMessages = async () => {
      await settlePasswordResetRequests(testApp.app.services)
      return (await outboxMessagesOf(testApp.app, 'password_reset')).length
    }

    it('by link: the new password works, every session is revoked, a notice is sent, the link is spent', async () => {
      const { app } = testApp
      const { token: oldAccess } = await verifiedUser(app, smtp, 'rita', 'rita@example.com')
      expect((await forgot({ email: 'RITA@example.com' })).statusCode).toBe(202)
      const message = await smtp.waitForMessageTo('rita@example.com', 2)
      expect(message.link).toMatch(/^http:\/\/gatehouse\.test\/ui\/reset-password#token=/)
      const reset = await postJson(app, '/password/reset', {
        token: tokenOf(message),
        new_password: NEW_PASSWORD,
      })
      expect(reset.statusCode, reset.body).toBe(200)
      expect(reset.json()).toMatchObject({ revoked_sessions: 1 })
      expect(await profileStatus(app, oldAccess)).toBe(401)
      expect((await attemptLogin(app, 'rita', PASSWORD)).statusCode).toBe(401)
      expect((await attemptLogin(app, 'rita@example.com', NEW_PASSWORD)).statusCode).toBe(200)
      const notice = await smtp.waitForMessageTo('rita@example.com', 3)
      expect(notice.subject).toMatch(/password was changed/)
      expect(notice.token).toBeUndefined()
      const again = await postJson(app, '/password/reset', {
        token: tokenOf(message),
        new_password: 'yet another one 77',
      })
      expect(again.statusCode).toBe(400)
    })

    it('by code with the address; a refused password leaves the code usable', async () => {
      const { app } = testApp
      await verifiedUser(app, smtp, 'carl', 'carl@example.com')
      await forgot({ username: 'carl' })
      const message = await smtp.waitForMessageTo('carl@example.com', 2)
      const weak = await postJson(app, '/password/reset', {
        email: 'carl@example.com',
        code: codeOf(message),
        new_password: 'short',
      })
      expect(weak.statusCode).toBe(422)
      const reset = await postJson(app, '/password/reset', {
        email: 'Carl@Example.com',
        code: codeOf(message),
        new_password: NEW_PASSWORD,
      })
      expect(reset.statusCode, reset.body).toBe(200)
      expect((await attemptLogin(app, 'carl', NEW_PASSWORD)).statusCode).toBe(200)
    })

    it('answers 202 with the same body and headers for existing, unknown, unverified and throttled requests', async () => {
      const { app } = testApp
      await verifiedUser(app, smtp, 'known', 'known@example.com')
      await registerWithEmail(app, 'unverified', 'unverified@example.com')
      // Use up the address quota (5 an hour: the verification above plus four resets).
      for (let index = 0; index < 4; index++) await forgot({ email: 'known@example.com' })
      expect(await resetMessages()).toBe(4)
      const answers = [
        await forgot({ email: 'known@example.com' }),
        await forgot({ email: 'nobody@example.com' }),
        await forgot({ email: 'unverified@example.com' }),
        await forgot({ username: 'known' }),
        await forgot({ username: 'nobody' }),
        await forgot({ email: 'not an address' }),
      ]
      const shapes = answers.map((answer) => {
        // The date and the request id differ for every request by design.
        const { date: _date, 'x-request-id': _requestId, ...headers } = answer.headers
        return { status: answer.statusCode, body: answer.body, headers }
      })
      for (const shape of shapes) expect(shape).toEqual(shapes[0])
      expect(shapes[0]?.status).toBe(202)
      // Every answer waits for the fixed floor, never for the lookup (50 ms; timers may fire a little early).
      for (const payload of [{ email: 'known@example.com' }, { email: 'nobody@example.com' }]) {
        const started = performance.now()
        await forgot(payload)
        expect(performance.now() - started).toBeGreaterThanOrEqual(FORGOT_PASSWORD_FLOOR_MS - 5)
      }
      // The throttled ones were not queued; an hour later the address gets mail again.
      expect(await resetMessages()).toBe(4)
      testApp.clock.advanceSeconds(3600)
      await forgot({ email: 'known@example.com' })
      expect(await resetMessages()).toBe(5)
    })

    it('a verification and a reset a few seconds apart both go out', async () => {
      const { app } = testApp
      await registerWithEmail(app, 'both', 'both@example.com')
      const verification = await smtp.waitForMessageTo('both@example.com')
      await postJson(app, '/email/verify', { token: tokenOf(verification) })
      testApp.clock.advanceSeconds(3)
      await forgot({ email: 'both@example.com' })
      const reset = await smtp.waitForMessageTo('both@example.com', 2)
      expect(reset.subject).toMatch(/Reset your/)
    })

    it('per-IP throttling stops a script from mailing many addresses', async () => {
      const { app } = testApp
      for (let index = 0; index < 3; index++)
        await verifiedUser(app, smtp, `ip${index}`, `ip${index}@example.com`)
      const before = await resetMessages()
      // Default: 30 messages an hour per client IP, whichever addresses they go to.
      for (let index = 0; index < 40; index++) await forgot({ username: `ip${index % 3}` }, '203.0.113.9')
      const sent = (await resetMessages()) - before
      expect(sent).toBeLessThanOrEqual(30)
      expect(sent).toBeGreaterThan(0)
    })

    it('changing the password kills reset links mailed before', async () => {
      const { app } = testApp
      const { token } = await verifiedUser(app, smtp, 'chg', 'chg@example.com')
      await forgot({ email: 'chg@example.com' })
      const message = await smtp.waitForMessageTo('chg@example.com', 2)
      const changed = await callWithToken(app, token, 'POST', '/profile/password', {
        current_password: PASSWORD,
        new_password: NEW_PASSWORD,
      })
      expect(changed.statusCode, changed.body).toBeLessThan(300)
      const reset = await postJson(app, '/password/reset', {
        token: tokenOf(message),
        new_password: 'attacker password 99',
      })
      expect(reset.statusCode).toBe(400)
      expect((await login(app, 'chg', NEW_PASSWORD)).access_token).toBeTruthy()
    })

    it('of 10 parallel resets with one link exactly one succeeds', async () => {
      const { app } = testApp
      await verifiedUser(app, smtp, 'race', 'race@example.com')
      await forgot({ email: 'race@example.com' })
      const token = tokenOf(await smtp.waitForMessageTo('race@example.com', 2))
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          postJson(app, '/password/reset', { token, new_password: `parallel password ${index}x` }),
        ),
      )
      expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, ...Array<number>(9).fill(400)])
    })
  })
}
