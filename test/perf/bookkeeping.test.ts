import SQLite from 'better-sqlite3'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { profileStatus, userWithToken } from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'
import { removeDirectory, temporaryDirectory } from '../helpers/files.ts'

describe('last_used_at on a SQLite file (the bookkeeping connection)', () => {
  const folder = temporaryDirectory('bookkeeping')
  afterAll(() => removeDirectory(folder))

  it('is written once a minute, and skipped rather than waited for while the database is busy', async () => {
    const path = join(folder, 'g.db')
    const testApp = await createTestApp({ env: { GATEHOUSE_DATABASE_URL: `sqlite:${path}` } })
    try {
      const { app, clock } = testApp
      const { token } = await userWithToken(app, 'touched')
      const lastUsed = async () =>
        (await app.services.db.selectFrom('sessions').select('last_used_at').executeTakeFirstOrThrow())
          .last_used_at
      const loginTime = await lastUsed()
      clock.advance(30_000)
      expect(await profileStatus(app, token)).toBe(200)
      expect(await lastUsed()).toBe(loginTime)

      clock.advance(31_000)
      // Another process (a second worker) holds SQLite's write lock across this request.
      const other = new SQLite(path)
      other.exec('begin immediate')
      expect(await profileStatus(app, token)).toBe(200)
      other.exec('commit')
      other.close()
      expect(await lastUsed()).toBe(loginTime)

      expect(await profileStatus(app, token)).toBe(200)
      expect(await lastUsed()).toBe(loginTime + 61_000)
    } finally {
      await testApp.close()
    }
  })
})
