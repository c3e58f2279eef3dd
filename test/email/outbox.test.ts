import { simpleParser } from 'mailparser'
import { readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { ConfigError, loadConfig } from '../../src/config.ts'
import { renderEmail } from '../../src/services/email/templates.ts'
import { createTestApp, type TestApp } from '../helpers/app.ts'
import { testConfig, TEST_SECRET } from '../helpers/config.ts'
import { createTestDatabase, DIALECTS } from '../helpers/databases.ts'
import { postJson, registerWithEmail } from '../helpers/email.ts'
import { removeDirectory, temporaryDirectory } from '../helpers/files.ts'
import { startSmtpServer } from '../helpers/smtp.ts'
import { waitFor } from '../helpers/wait.ts'

async function outboxRow(testApp: TestApp) {
  return testApp.app.services.db.selectFrom('email_outbox').selectAll().executeTakeFirstOrThrow()
}

for (const dialect of DIALECTS) {
  describe(`the email outbox on ${dialect}`, () => {
    const open: Array<{ close(): Promise<void> }> = []
    afterEach(async () => {
      for (const item of open.splice(0).reverse()) await item.close()
    })
    const start = async (env: Record<string, string> = {}) => {
      const smtp = await startSmtpServer()
      open.push(smtp)
      const testApp = await createTestApp({ dialect, env: { ...smtp.env(), ...env } })
      open.push(testApp)
      return { smtp, testApp }
    }

    it('retries after the server answered 451, with backoff, and sends exactly once', async () => {
      const { smtp, testApp } = await start()
      smtp.refuseNext(1, 451)
      await registerWithEmail(testApp.app, 'retry', 'retry@example.com')
      await waitFor(async () => (await outboxRow(testApp)).attempts === 1, 15_000)
      const failed = await outboxRow(testApp)
      expect(failed).toMatchObject({ sent_at: null, last_error: expect.stringContaining('451') as string })
      expect(failed.next_attempt_at - testApp.clock.now()).toBe(30_000)
      // Not before the backoff has passed.
      await testApp.app.sendOutbox()
      expect(smtp.messagesTo('retry@example.com')).toHaveLength(0)
      testApp.clock.advanceSeconds(31)
      await smtp.waitForMessageTo('retry@example.com')
      await waitFor(async () => (await outboxRow(testApp)).sent_at !== null, 5_000)
      await testApp.app.sendOutbox()
      expect(smtp.messagesTo('retry@example.com')).toHaveLength(1)
      // Delivered messages are purged after a week.
      testApp.clock.advanceSeconds(6 * 86_400)
      await testApp.app.purgeExpired()
      expect(await testApp.app.services.db.selectFrom('email_outbox').select('id').execute()).toHaveLength(1)
      testApp.clock.advanceSeconds(2 * 86_400)
      await testApp.app.purgeExpired()
      expect(await testApp.app.services.db.selectFrom('email_outbox').select('id').execute()).toHaveLength(0)
    })

    it('backs off 30 s, doubling up to an hour, and gives up (audited) after 10 attempts', async () => {
      const { smtp, testApp } = await start()
      smtp.refuseNext(10, 451)
      await registerWithEmail(testApp.app, 'giveup', 'giveup@example.com')
      const delays: number[] = []
      for (let attempt = 1; attempt <= 10; attempt++) {
        await waitFor(async () => (await outboxRow(testApp)).attempts === attempt, 15_000)
        const row = await outboxRow(testApp)
        delays.push((row.next_attempt_at - testApp.clock.now()) / 1000)
        testApp.clock.advanceSeconds(3600)
      }
      expect(delays.slice(0, 9)).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600, 3600])
      expect((await outboxRow(testApp)).failed_at).not.toBeNull()
      await testApp.app.sendOutbox()
      expect(smtp.messagesTo('giveup@example.com')).toHaveLength(0)
      const audit = await testApp.app.services.db
        .selectFrom('audit_events')
        .select(['action', 'details'])
        .where('action', '=', 'email.failed')
        .execute()
      expect(audit).toHaveLength(1)
      expect(audit[0]?.details).not.toContain('giveup@example.com')
    })

    it('keeps the message while the server is down and delivers it when it is back', async () => {
      const { smtp, testApp } = await start()
      await smtp.stop()
      await registerWithEmail(testApp.app, 'down', 'down@example.com')
      await waitFor(async () => (await outboxRow(testApp)).attempts >= 1, 15_000)
      expect((await outboxRow(testApp)).last_error).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/)
      await smtp.start()
      testApp.clock.advanceSeconds(3600)
      const message = await smtp.waitForMessageTo('down@example.com')
      expect(message.token).toBeDefined()
    })

    it('stores the message sealed: no address, link or code in any column', async () => {
      const { smtp, testApp } = await start()
      await smtp.stop()
      await registerWithEmail(testApp.app, 'sealed', 'sealed-person@example.com')
      const row = await outboxRow(testApp)
      const stored = JSON.stringify(row)
      expect(row.kind).toBe('verify_email')
      expect(stored).not.toContain('sealed-person')
      expect(stored).not.toContain('#token=')
      expect(stored).not.toMatch(/Code: \d{6}/)
    })

    it('sends several instances’ messages once: claims are exclusive', async () => {
      const { smtp, testApp } = await start()
      const second = await createTestApp({
        dialect,
        env: smtp.env(),
        database: testApp.database,
        clock: testApp.clock,
      })
      open.push({ close: () => second.app.close() })
      for (let index = 0; index < 5; index++) {
        await registerWithEmail(testApp.app, `many${index}`, `many${index}@example.com`)
      }
      await Promise.all([testApp.app.sendOutbox(), second.app.sendOutbox(), testApp.app.sendOutbox()])
      await waitFor(() => Promise.resolve(smtp.messages.length >= 5), 15_000)
      await Promise.all([testApp.app.sendOutbox(), second.app.sendOutbox()])
      expect(smtp.messages).toHaveLength(5)
    })
  })
}

describe('mail without SMTP, templates and settings', () => {
  const directories: string[] = []
  afterEach(() => directories.splice(0).forEach(removeDirectory))

  it('writes .eml files (0600 in a 0700 folder) and logs the file name, never the link or code', async () => {
    const directory = temporaryDirectory('outbox')
    directories.push(directory)
    const outbox = join(directory, 'outbox')
    const logged: string[] = []
    const config = testConfig({ GATEHOUSE_OUTBOX_DIR: outbox, GATEHOUSE_LOG_LEVEL: 'info' })
    const database = await createTestDatabase('sqlite')
    const app = await buildApp(config, {
      database: database.handle,
      logger: {
        level: 'info',
        hooks: {
          logMethod(args, method) {
            // Request logs carry circular objects; only our own records matter here.
            try {
              logged.push(JSON.stringify(args))
            } catch {
              logged.push('(unserializable)')
            }
            method.apply(this, args)
          },
        },
      },
    })
    try {
      expect(logged.join('\n')).toContain(
        `GATEHOUSE_SMTP_URL is not set: email is only written to files in ${outbox}`,
      )
      await registerWithEmail(app, 'laptop', 'laptop@example.com')
      await waitFor(() => Promise.resolve(logged.some((line) => line.includes('.eml'))), 15_000)
      const line = logged.find((entry) => entry.includes('.eml')) ?? ''
      const file = (JSON.parse(line) as Array<{ file?: string }>)[0]?.file ?? ''
      expect(file.startsWith(outbox)).toBe(true)
      expect(statSync(outbox).mode & 0o777).toBe(0o700)
      expect(statSync(file).mode & 0o777).toBe(0o600)
      const parsed = await simpleParser(readFileSync(file))
      const token = /#token=([A-Za-z0-9_-]+)/.exec(parsed.text ?? '')?.[1] ?? ''
      const code = /Code: (\d{6})/.exec(parsed.text ?? '')?.[1] ?? ''
      expect(logged.join('\n')).not.toContain(token)
      expect(logged.join('\n')).not.toContain(`Code: ${code}`)
      expect((await postJson(app, '/email/verify', { token })).statusCode).toBe(200)
    } finally {
      await app.close()
      await database.drop()
    }
  })

  it('escapes every value in HTML and keeps line breaks out of the subject', () => {
    const rendered = renderEmail(
      'email_change_notice',
      {
        app_name: 'Acme\r\nBcc: x@evil.example',
        username: '<script>alert(1)</script>',
        new_email: `o'b&"c"@x.io`,
      },
      undefined,
    )
    expect(rendered.subject).not.toMatch(/[\r\n]/)
    expect(rendered.html).not.toContain('<script>')
    expect(rendered.html).toContain('&#60;script&#62;')
    expect(rendered.html).toContain('o&#39;b&#38;&#34;c&#34;@x.io')
  })

  it('takes subject, text and HTML templates from GATEHOUSE_TEMPLATES_DIR, escaped', async () => {
    const directory = temporaryDirectory('templates')
    directories.push(directory)
    mkdirSync(directory, { recursive: true })
    writeFileSync(join(directory, 'verify_email.subject'), 'Welcome to {{app_name}}, {{username}}\n')
    writeFileSync(
      join(directory, 'verify_email.html'),
      '<h1>{{app_name}}</h1><a href="{{link}}">go</a> {{code}}',
    )
    const smtp = await startSmtpServer()
    const testApp = await createTestApp({
      env: { ...smtp.env(), GATEHOUSE_TEMPLATES_DIR: directory, GATEHOUSE_APP_NAME: 'Acme <Corp>' },
    })
    try {
      await registerWithEmail(testApp.app, 'templ', 'templ@example.com')
      const message = await smtp.waitForMessageTo('templ@example.com')
      expect(message.subject).toBe('Welcome to Acme <Corp>, templ')
      expect(message.html).toContain('<h1>Acme &#60;Corp&#62;</h1>')
      expect(message.html).toContain(`href="${message.link ?? 'missing'}"`)
      // The text body is the built-in one.
      expect(message.text).toContain('Code: ')
    } finally {
      await testApp.close()
      await smtp.close()
    }
  })

  it('production refuses to start without GATEHOUSE_SMTP_URL when email is required', () => {
    const production = {
      NODE_ENV: 'production',
      GATEHOUSE_SECRET: TEST_SECRET,
      GATEHOUSE_ISSUER: 'https://id.example',
      GATEHOUSE_DATABASE_URL: 'sqlite::memory:',
    }
    for (const required of ['GATEHOUSE_REQUIRE_EMAIL', 'GATEHOUSE_REQUIRE_VERIFIED_EMAIL']) {
      expect(() => loadConfig({ ...production, [required]: 'true' })).toThrow(ConfigError)
      expect(() => loadConfig({ ...production, [required]: 'true' })).toThrow(/GATEHOUSE_SMTP_URL/)
      expect(() =>
        loadConfig({ ...production, [required]: 'true', GATEHOUSE_SMTP_URL: 'smtps://mail.example.com' }),
      ).not.toThrow()
    }
    expect(() => loadConfig(production)).not.toThrow()
    expect(() => loadConfig({ ...production, GATEHOUSE_SMTP_URL: 'http://mail.example.com' })).toThrow(
      /GATEHOUSE_SMTP_URL/,
    )
    expect(() => loadConfig({ ...production, GATEHOUSE_EMAIL_TOKEN_TTL: '59' })).toThrow(
      /GATEHOUSE_EMAIL_TOKEN_TTL/,
    )
  })
})
