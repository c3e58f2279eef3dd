import { describe, expect, it } from 'vitest'
import { attemptLogin, getWithToken, login, passwordGrant } from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { codeOf, postJson, registerWithEmail, tokenOf, verifiedUser } from '../helpers/email.ts'
import { closedAfterEach, useRunning, useTestApp } from '../helpers/hooks.ts'
import { startSmtpServer } from '../helpers/smtp.ts'
import { PASSWORD } from '../helpers/users.ts'

for (const dialect of DIALECTS) {
  describe(`email verification on ${dialect}`, () => {
    const smtp = useRunning(startSmtpServer)
    const testApp = useTestApp(
      () => createTestApp({ dialect, env: { ...smtp.env(), GATEHOUSE_PUBLIC_URL: 'https://id.example' } }),
      'test',
    )
    const started = closedAfterEach()

    it('sends a link and a code over STARTTLS with AUTH at registration; the link verifies the address', async () => {
      const { app } = testApp
      const user = await registerWithEmail(app, 'vera', 'Vera@Example.COM')
      expect(user).toMatchObject({ email: 'Vera@Example.COM', email_verified: false })
      const message = await smtp.waitForMessageTo('Vera@Example.COM')
      expect(message).toMatchObject({ secure: true, user: 'gatehouse', from: 'no-reply@gatehouse.test' })
      expect(message.link).toMatch(/^https:\/\/id\.example\/ui\/verify-email#token=[A-Za-z0-9_-]{43}$/)
      expect(message.html).toContain(message.link)

      const verified = await postJson(app, '/email/verify', { token: tokenOf(message) })
      expect(verified.statusCode, verified.body).toBe(200)
      expect(verified.json()).toMatchObject({ id: user.id, email: 'Vera@Example.COM', email_verified: true })
      const token = (await login(app, 'vera')).access_token
      expect((await getWithToken(app, '/profile', token)).json()).toMatchObject({ email_verified: true })
    })

    it('verifies by code with the bearer token, and POST /email/verification sends a fresh one', async () => {
      const { app } = testApp
      await registerWithEmail(app, 'cody', 'cody@example.com')
      await smtp.waitForMessageTo('cody@example.com')
      const token = (await login(app, 'cody')).access_token
      const requested = await postJson(app, '/email/verification', {}, token)
      expect(requested.statusCode, requested.body).toBe(202)
      const second = await smtp.waitForMessageTo('cody@example.com', 2)
      // Without a bearer token a code names no account.
      expect((await postJson(app, '/email/verify', { code: codeOf(second) })).statusCode).toBe(401)
      const verified = await postJson(app, '/email/verify', { code: codeOf(second) }, token)
      expect(verified.statusCode, verified.body).toBe(200)
      expect(verified.json()).toMatchObject({ email_verified: true })
    })

    it('a verified address logs in through /login and /token; an unverified one never does', async () => {
      const { app } = testApp
      await verifiedUser(app, smtp, 'lena', 'lena@example.com')
      expect((await attemptLogin(app, 'LENA@example.com', PASSWORD)).statusCode).toBe(200)
      expect((await passwordGrant(app, 'lena@EXAMPLE.com', PASSWORD)).statusCode).toBe(200)

      await registerWithEmail(app, 'ursula', 'ursula@example.com')
      const refused = await attemptLogin(app, 'ursula@example.com', PASSWORD)
      const unknown = await attemptLogin(app, 'nobody@example.com', PASSWORD)
      expect(refused.statusCode).toBe(401)
      expect(refused.body).toBe(unknown.body)
    })

    it('a link is single-use, and of 10 parallel uses exactly one succeeds', async () => {
      const { app } = testApp
      await registerWithEmail(app, 'para', 'para@example.com')
      const token = tokenOf(await smtp.waitForMessageTo('para@example.com'))
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => postJson(app, '/email/verify', { token })),
      )
      expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, ...Array<number>(9).fill(400)])
      const again = await postJson(app, '/email/verify', { token })
      expect(again.statusCode).toBe(400)
      expect(again.json()).toMatchObject({ code: 'invalid_or_expired_token' })
    })

    it('links and codes expire after GATEHOUSE_EMAIL_TOKEN_TTL', async () => {
      const app = await started.app({ dialect, env: { ...smtp.env(), GATEHOUSE_EMAIL_TOKEN_TTL: '60' } })
      await registerWithEmail(app.app, 'ttl', 'ttl@example.com')
      const message = await smtp.waitForMessageTo('ttl@example.com')
      expect(message.text).toContain('expire in 1 minutes')
      app.clock.advanceSeconds(61)
      const accessToken = (await login(app.app, 'ttl')).access_token
      expect((await postJson(app.app, '/email/verify', { token: tokenOf(message) })).statusCode).toBe(400)
      expect(
        (await postJson(app.app, '/email/verify', { code: codeOf(message) }, accessToken)).statusCode,
      ).toBe(400)
    })

    it('five wrong codes kill the code, and the right one is refused after', async () => {
      const { app } = testApp
      await registerWithEmail(app, 'guess', 'guess@example.com')
      const message = await smtp.waitForMessageTo('guess@example.com')
      const token = (await login(app, 'guess')).access_token
      const wrong = String((Number(codeOf(message)) + 1) % 1_000_000).padStart(6, '0')
      for (let attempt = 0; attempt < 5; attempt++) {
        expect((await postJson(app, '/email/verify', { code: wrong }, token)).statusCode).toBe(400)
      }
      expect((await postJson(app, '/email/verify', { code: codeOf(message) }, token)).statusCode).toBe(400)
      // The link of the same message died with it.
      expect((await postJson(app, '/email/verify', { token: tokenOf(message) })).statusCode).toBe(400)
    })

    it('GATEHOUSE_REQUIRE_VERIFIED_EMAIL: 401 email_not_verified only after the right password, then login works once verified', async () => {
      const app = await started.app({
        dialect,
        env: { ...smtp.env(), GATEHOUSE_REQUIRE_VERIFIED_EMAIL: 'true', GATEHOUSE_REQUIRE_EMAIL: 'true' },
      })
      const missing = await app.app.inject({
        method: 'POST',
        url: '/register',
        payload: { username: 'noemail', password: PASSWORD },
      })
      expect(missing.statusCode).toBe(422)
      await registerWithEmail(app.app, 'strict', 'strict@example.com')
      const first = await smtp.waitForMessageTo('strict@example.com')
      const wrongPassword = await attemptLogin(app.app, 'strict', 'not the password at all')
      expect(wrongPassword.json()).toMatchObject({ code: 'invalid_credentials' })
      const refused = await attemptLogin(app.app, 'strict', PASSWORD)
      expect(refused.statusCode).toBe(401)
      expect(refused.headers['www-authenticate']).toBe('Bearer')
      expect(refused.json()).toEqual({ detail: expect.any(String) as string, code: 'email_not_verified' })
      expect((await passwordGrant(app.app, 'strict', PASSWORD)).json()).toMatchObject({
        code: 'email_not_verified',
      })
      // The person cannot sign in to ask for a link, so each refused login sent a fresh one (the newest
      // replaces the ones before).
      const fresh = await smtp.waitForMessageTo('strict@example.com', 3)
      expect(fresh.token).not.toBe(first.token)
      expect((await postJson(app.app, '/email/verify', { token: tokenOf(fresh) })).statusCode).toBe(200)
      expect((await attemptLogin(app.app, 'strict@example.com', PASSWORD)).statusCode).toBe(200)
    })

    it('POST /email/verification: 409 without an address, 202 and nothing sent once verified', async () => {
      const { app } = testApp
      const noAddress = await app.inject({
        method: 'POST',
        url: '/register',
        payload: { username: 'plain', password: PASSWORD },
      })
      expect(noAddress.statusCode).toBe(201)
      const plainToken = (await login(app, 'plain')).access_token
      const missing = await postJson(app, '/email/verification', {}, plainToken)
      expect(missing.statusCode).toBe(409)
      expect(missing.json()).toMatchObject({ code: 'email_missing' })

      const { token } = await verifiedUser(app, smtp, 'done', 'done@example.com')
      const before = smtp.messagesTo('done@example.com').length
      expect((await postJson(app, '/email/verification', {}, token)).statusCode).toBe(202)
      await app.sendOutbox()
      expect(smtp.messagesTo('done@example.com')).toHaveLength(before)
    })

    it('GET on a link path acts on nothing: the page is static and the token stays usable', async () => {
      const { app } = testApp
      await registerWithEmail(app, 'scan', 'scan@example.com')
      const message = await smtp.waitForMessageTo('scan@example.com')
      // What a mail scanner fetches: the page without the fragment (browsers never send it).
      await app.inject({ method: 'GET', url: '/ui/verify-email' })
      await app.inject({ method: 'GET', url: `/email/verify?token=${tokenOf(message)}` })
      expect((await postJson(app, '/email/verify', { token: tokenOf(message) })).statusCode).toBe(200)
    })
  })
}
