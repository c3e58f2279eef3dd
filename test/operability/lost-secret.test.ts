import SQLite from 'better-sqlite3'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { CLI_TEST_TIMEOUT_MS, runCli, sqliteCliEnv } from '../helpers/cli.ts'
import { removeDirectory, temporaryDirectory } from '../helpers/files.ts'
import { attemptLogin } from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'

// docs/operations.md, "Lost GATEHOUSE_SECRET", followed step by step.

const OLD_SECRET = 'the-old-secret-that-was-lost-0123456789'
const NEW_SECRET = 'a-new-secret-from-openssl-rand-0123456789'
const PASSWORD = 'a password that survives the secret'

describe('the lost-secret runbook', () => {
  const folder = temporaryDirectory('lost-secret')
  afterAll(() => removeDirectory(folder))

  it(
    'refuses to start with another secret, and after the documented SQL starts and logs the user in',
    async () => {
      const database = join(folder, 'gatehouse.db')
      const env = (secret: string) => ({ ...sqliteCliEnv(database), GATEHOUSE_SECRET: secret })
      const created = await runCli(['users', 'create', 'keeper', '--password-stdin'], {
        env: env(OLD_SECRET),
        stdin: `${PASSWORD}\n`,
      })
      expect(created.code, created.stderr).toBe(0)

      const refused = await runCli(['keys', 'list'], { env: env(NEW_SECRET) })
      expect(refused.code).not.toBe(0)
      expect(refused.stderr).toContain(
        'sealed with a secret that is neither GATEHOUSE_SECRET nor GATEHOUSE_SECRET_PREVIOUS',
      )

      const sqlite = new SQLite(database)
      try {
        sqlite.exec(`
          DELETE FROM signing_keys;
          UPDATE refresh_tokens SET grace_response_sealed = NULL;
          DELETE FROM email_outbox WHERE sent_at IS NULL;
        `)
      } finally {
        sqlite.close()
      }

      const testApp = await createTestApp({
        env: { GATEHOUSE_DATABASE_URL: `sqlite:${database}`, GATEHOUSE_SECRET: NEW_SECRET },
      })
      try {
        expect((await attemptLogin(testApp.app, 'keeper', PASSWORD)).statusCode).toBe(200)
      } finally {
        await testApp.close()
      }
    },
    CLI_TEST_TIMEOUT_MS,
  )
})
