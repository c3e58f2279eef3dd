import { join } from 'node:path'
import { writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { attemptLogin, callWithToken, registerUser } from '../helpers/api.ts'
import { createAdminApp } from '../helpers/admin.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { postJson, tokenOf } from '../helpers/email.ts'
import { temporaryDirectory } from '../helpers/files.ts'
import { useRunning, useTestApp } from '../helpers/hooks.ts'
import { startSmtpServer } from '../helpers/smtp.ts'
import { PASSWORD } from '../helpers/users.ts'
import { importUsers } from '../../src/services/import/importer.ts'
import { openJsonl } from '../../src/services/import/jsonl.ts'

for (const dialect of DIALECTS) {
  describe(`admin email handling and import on ${dialect}`, () => {
    const smtp = useRunning(startSmtpServer)
    const testApp = useTestApp(() => createAdminApp(dialect, smtp.env()), 'test')
    const admin = (method: 'PATCH' | 'POST' | 'GET', url: string, payload?: object) =>
      callWithToken(testApp.app, testApp.rootToken, method, url, payload)

    it('sets an address, marks it verified and triggers a reset; the views show both fields', async () => {
      const { app } = testApp
      const user = await registerUser(app, 'managed')
      const set = await admin('PATCH', `/admin/users/${user.id}/email`, { email: 'Managed@Example.com' })
      expect(set.statusCode, set.body).toBe(200)
      expect(set.json()).toMatchObject({ email: 'Managed@Example.com', email_verified: false })
      expect((await attemptLogin(app, 'managed@example.com', PASSWORD)).statusCode).toBe(401)
      const noReset = await admin('POST', `/admin/users/${user.id}/password-reset`)
      expect(noReset.statusCode).toBe(409)

      const verified = await admin('PATCH', `/admin/users/${user.id}/email`, { verified: true })
      expect(verified.json()).toMatchObject({ email_verified: true })
      expect((await admin('GET', `/admin/users/${user.id}`)).json()).toMatchObject({
        email: 'Managed@Example.com',
        email_verified: true,
      })
      expect((await attemptLogin(app, 'managed@example.com', PASSWORD)).statusCode).toBe(200)

      expect((await admin('POST', `/admin/users/${user.id}/password-reset`)).statusCode).toBe(202)
      const message = await smtp.waitForMessageTo('managed@example.com')
      const reset = await postJson(app, '/password/reset', {
        token: tokenOf(message),
        new_password: 'set by the user 123',
      })
      expect(reset.statusCode, reset.body).toBe(200)
      const audit = await admin('GET', `/admin/audit?target=${user.id}`)
      const text = audit.body
      expect(text).toContain('admin.user.email')
      expect(text).toContain('admin.user.reset_requested')
      expect(text).toContain('password.reset')
      expect(text).not.toContain(tokenOf(message))
      expect(text).not.toContain(message.code ?? 'no code')
    })

    it('refuses a verified address another account holds (409)', async () => {
      const first = await registerUser(testApp.app, 'first')
      const second = await registerUser(testApp.app, 'second')
      await admin('PATCH', `/admin/users/${first.id}/email`, { email: 'same@example.com', verified: true })
      const clash = await admin('PATCH', `/admin/users/${second.id}/email`, {
        email: 'SAME@example.com',
        verified: true,
      })
      expect(clash.statusCode).toBe(409)
      // Unverified, the same address is allowed: it proves nothing and must not let anyone squat it.
      const unverified = await admin('PATCH', `/admin/users/${second.id}/email`, {
        email: 'same@example.com',
      })
      expect(unverified.statusCode).toBe(200)
      const removed = await admin('PATCH', `/admin/users/${second.id}/email`, { email: null })
      expect(removed.json()).toMatchObject({ email: null, email_verified: false })
      const nothingToVerify = await admin('PATCH', `/admin/users/${second.id}/email`, { verified: true })
      expect(nothingToVerify.statusCode).toBe(422)
    })

    it('import jsonl keeps email and email_verified', async () => {
      const { app } = testApp
      const hash = await app.services.passwords.hash(PASSWORD)
      const path = join(temporaryDirectory('email-import'), 'users.jsonl')
      const lines = [
        { username: 'imp-verified', password_hash: hash, email: 'Imp@Example.com', email_verified: true },
        { username: 'imp-unverified', password_hash: hash, email: 'imp2@example.com' },
        { username: 'imp-bad', password_hash: hash, email: 'nope' },
        { username: 'imp-verified-no-address', password_hash: hash, email_verified: true },
      ]
      writeFileSync(path, lines.map((line) => JSON.stringify(line)).join('\n'))
      const summary = await importUsers(app.services, await openJsonl(path), {
        dryRun: false,
        onConflict: 'skip',
      })
      expect(summary).toMatchObject({ imported: 2, invalid: 2 })
      expect(summary.problems.map((problem) => problem.reason)).toEqual(['invalid_email', 'invalid_email'])
      expect((await attemptLogin(app, 'imp@example.com', PASSWORD)).statusCode).toBe(200)
      expect((await attemptLogin(app, 'imp2@example.com', PASSWORD)).statusCode).toBe(401)

      const duplicate = join(temporaryDirectory('email-import'), 'duplicate.jsonl')
      writeFileSync(
        duplicate,
        JSON.stringify({
          username: 'imp-dup',
          password_hash: hash,
          email: 'IMP@example.com',
          email_verified: true,
        }),
      )
      const again = await importUsers(app.services, await openJsonl(duplicate), {
        dryRun: false,
        onConflict: 'skip',
      })
      expect(again).toMatchObject({ imported: 0, skipped: 1 })
      expect(again.problems.map((problem) => problem.reason)).toEqual(['email_exists'])
    })
  })
}
