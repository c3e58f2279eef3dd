import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI_TEST_TIMEOUT_MS, runCli, sqliteCliEnv } from '../helpers/cli.ts'
import { removeDirectory, temporaryDirectory } from '../helpers/files.ts'
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.ts'

describe('gatehouse mail test', () => {
  let smtp: TestSmtpServer
  let folder: string
  beforeAll(async () => {
    smtp = await startSmtpServer()
    folder = temporaryDirectory('mail-cli')
  })
  afterAll(async () => {
    await smtp.close()
    removeDirectory(folder)
  })

  it(
    'sends a test message over the configured SMTP server, or writes it to a file without one',
    async () => {
      const env = { ...sqliteCliEnv(join(folder, 'cli.db')), GATEHOUSE_APP_NAME: 'Acme' }
      const sent = await runCli(['mail', 'test', 'ops@example.com'], { env: { ...env, ...smtp.env() } })
      expect(sent.code, sent.stderr).toBe(0)
      expect(sent.stdout).toContain('Sent a test message to ops@example.com over SMTP')
      const message = await smtp.waitForMessageTo('ops@example.com')
      expect(message).toMatchObject({ subject: 'Acme test message', secure: true })

      const outbox = join(folder, 'outbox')
      const written = await runCli(['mail', 'test', 'ops@example.com'], {
        env: { ...env, GATEHOUSE_OUTBOX_DIR: outbox },
      })
      expect(written.code, written.stderr).toBe(0)
      const file = /wrote the test message to (\S+\.eml)/.exec(written.stdout)?.[1] ?? ''
      expect(existsSync(file)).toBe(true)

      const refused = await runCli(['mail', 'test', 'not-an-address'], { env })
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain('is not an email address')
    },
    CLI_TEST_TIMEOUT_MS,
  )
})
