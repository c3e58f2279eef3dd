import { copyFileSync, existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { attemptLogin, login, registerUser } from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'
import { CLI_TEST_TIMEOUT_MS, runCli, sqliteCliEnv } from '../helpers/cli.ts'
import { removeDirectory, temporaryDirectory } from '../helpers/files.ts'
import { PASSWORD } from '../helpers/users.ts'

describe('gatehouse db backup', () => {
  const folder = temporaryDirectory('backup')
  afterAll(() => removeDirectory(folder))

  it(
    'copies a live database consistently; the copy, restored, logs the user in',
    async () => {
      const live = join(folder, 'live.db')
      const backup = join(folder, 'backup.db')
      const testApp = await createTestApp({ env: { GATEHOUSE_DATABASE_URL: `sqlite:${live}` } })
      try {
        await registerUser(testApp.app, 'alice')
        await login(testApp.app, 'alice')
        // The server is still running (and its last writes may sit in the WAL) while the backup runs.
        const result = await runCli(['db', 'backup', backup], { env: sqliteCliEnv(live) })
        expect(result.code, result.stderr).toBe(0)
        expect(result.stdout).toContain('integrity ok')
        expect(statSync(backup).mode & 0o777).toBe(0o600)
        // A second run never overwrites a backup.
        const again = await runCli(['db', 'backup', backup], { env: sqliteCliEnv(live) })
        expect(again.code).not.toBe(0)
        expect(again.stderr).toContain('exists')
        await registerUser(testApp.app, 'bob')
      } finally {
        await testApp.close()
      }

      // Restore: the server stopped, the backup copied into place as the database file.
      const restored = join(folder, 'restored.db')
      copyFileSync(backup, restored)
      const restoredApp = await createTestApp({ env: { GATEHOUSE_DATABASE_URL: `sqlite:${restored}` } })
      try {
        expect((await attemptLogin(restoredApp.app, 'alice', PASSWORD)).statusCode).toBe(200)
        // Written after the backup, so not in it.
        expect((await attemptLogin(restoredApp.app, 'bob', PASSWORD)).statusCode).toBe(401)
      } finally {
        await restoredApp.close()
      }
    },
    CLI_TEST_TIMEOUT_MS,
  )

  it(
    'refuses a PostgreSQL or in-memory database and names pg_dump',
    async () => {
      const result = await runCli(['db', 'backup', join(folder, 'never.db')], {
        env: { ...sqliteCliEnv(':memory:'), GATEHOUSE_DATABASE_URL: 'sqlite::memory:' },
      })
      expect(result.code).not.toBe(0)
      expect(result.stderr).toContain('pg_dump')
      expect(existsSync(join(folder, 'never.db'))).toBe(false)
    },
    CLI_TEST_TIMEOUT_MS,
  )
})
