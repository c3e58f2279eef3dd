import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../helpers/clock.ts'
import { GATEHOUSE_BIN, CLI_TEST_TIMEOUT_MS } from '../helpers/cli.ts'
import { createTestApp } from '../helpers/app.ts'
import { TEST_ENV } from '../helpers/config.ts'
import {
  createTestDatabase,
  DIALECTS,
  postgresUrlForSchema,
  withClose,
  type TestDatabase,
} from '../helpers/databases.ts'
import { postJson, registerWithEmail, tokenOf } from '../helpers/email.ts'
import { removeDirectory, temporaryDirectory } from '../helpers/files.ts'
import { freePort } from '../helpers/ports.ts'
import { startSmtpServer } from '../helpers/smtp.ts'
import { waitFor } from '../helpers/wait.ts'
import { connectDatabase } from '../../src/db/connect.ts'

// A message queued by a process that then dies (SIGKILL: no shutdown hook runs) is still delivered by
// the next process: the outbox row committed with the request, and nothing else is needed.

for (const dialect of DIALECTS) {
  describe(`a killed process on ${dialect}`, () => {
    const cleanups: Array<() => Promise<void> | void> = []
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
    })

    it(
      'still delivers a reset message queued just before SIGKILL, after restart',
      async () => {
        const folder = temporaryDirectory('crash')
        cleanups.push(() => removeDirectory(folder))
        // Each app closes the handle it is given, so SQLite gets a fresh handle on the one file each time.
        let database: TestDatabase
        let databaseUrl: string
        let handleFor: () => TestDatabase
        if (dialect === 'sqlite') {
          const path = join(folder, 'crash.db')
          databaseUrl = `sqlite:${path}`
          handleFor = () =>
            withClose({
              handle: connectDatabase({ kind: 'sqlite', path }),
              url: databaseUrl,
              schema: undefined,
              drop: async () => {},
            })
          database = handleFor()
        } else {
          database = await createTestDatabase('postgres')
          databaseUrl = postgresUrlForSchema(database.schema ?? '')
          handleFor = () => database
        }
        cleanups.push(() => database.close())
        const smtp = await startSmtpServer()
        cleanups.push(() => smtp.close())

        // A user with a verified address, set up through the API.
        const setup = await createTestApp({ dialect, database: handleFor(), env: smtp.env() })
        await registerWithEmail(setup.app, 'crash', 'crash@example.com')
        const verification = await smtp.waitForMessageTo('crash@example.com')
        expect(
          (await postJson(setup.app, '/email/verify', { token: tokenOf(verification) })).statusCode,
        ).toBe(200)
        await setup.app.close()

        // The mail server is down while the doomed process runs, so it cannot deliver before it dies.
        await smtp.stop()
        const port = await freePort()
        const child: ChildProcess = spawn(process.execPath, [GATEHOUSE_BIN, 'serve'], {
          cwd: folder,
          env: {
            PATH: process.env.PATH ?? '',
            PORT: String(port),
            GATEHOUSE_DATABASE_URL: databaseUrl,
            ...TEST_ENV,
            ...smtp.env(),
          },
          stdio: 'ignore',
        })
        cleanups.push(() => void child.kill('SIGKILL'))
        const base = `http://127.0.0.1:${port}`
        await waitFor(
          async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.ok === true,
          60_000,
          100,
        )
        const answer = await fetch(`${base}/password/forgot`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'crash@example.com' }),
        })
        expect(answer.status).toBe(202)
        const queued = () =>
          database.handle.db
            .selectFrom('email_outbox')
            .select('id')
            .where('kind', '=', 'password_reset')
            .where('sent_at', 'is', null)
            .executeTakeFirst()
        await waitFor(async () => (await queued()) !== undefined, 15_000)
        child.kill('SIGKILL')
        await new Promise((resolve) =>
          child.exitCode !== null ? resolve(null) : child.once('exit', resolve),
        )

        // Restart: the mail server is back, the dead process's lease and backoff have run out (the
        // link, valid for 30 minutes, has not).
        await smtp.start()
        const restarted = await createTestApp({
          dialect,
          database: handleFor(),
          env: smtp.env(),
          clock: new ManualClock(Date.now() + 5 * 60_000),
        })
        cleanups.push(() => restarted.app.close())
        const reset = await smtp.waitForMessageTo('crash@example.com', 2, 30_000)
        expect(reset.subject).toMatch(/Reset your/)
        const done = await postJson(restarted.app, '/password/reset', {
          token: tokenOf(reset),
          new_password: 'after the crash 2026',
        })
        expect(done.statusCode, done.body).toBe(200)
      },
      CLI_TEST_TIMEOUT_MS,
    )
  })
}
