import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { connectDatabase, databaseFileWarnings } from '../../src/db/connect.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'
import { developmentSecretWarnings, loadDevelopmentSecret } from '../../src/dev-secret.ts'
import { closeServiceContext, createServiceContext } from '../../src/services/create-context.ts'
import { testConfig } from '../helpers/config.ts'

const mode = (path: string) => statSync(path).mode & 0o777

// Regression (issue 16, finding 4): under umask 022 gatehouse.db, -wal and -shm were created 0644, and
// they hold password hashes and sealed keys.
describe.skipIf(process.platform === 'win32')('data files are private to the server user', () => {
  let root: string
  let savedUmask: number
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'gatehouse-modes-'))
    savedUmask = process.umask()
  })
  afterEach(() => {
    process.umask(savedUmask)
    rmSync(root, { recursive: true, force: true })
  })

  it.each([0o022, 0o002, 0o000])(
    'finding 4: creates the folder 0700 and the database, -wal and -shm 0600 under umask %o',
    async (umask) => {
      process.umask(umask)
      const path = join(root, 'data', 'gatehouse.db')
      const { db } = connectDatabase({ kind: 'sqlite', path })
      try {
        await migrateToLatest(db)
        // Checked while the database is open: SQLite removes -wal and -shm when the last connection closes.
        expect(mode(join(root, 'data'))).toBe(0o700)
        for (const file of [path, `${path}-wal`, `${path}-shm`]) expect(mode(file)).toBe(0o600)
        expect(databaseFileWarnings({ kind: 'sqlite', path })).toEqual([])
      } finally {
        await db.destroy()
      }
    },
  )

  it('finding 4: writes the development secret 0600 in a 0700 folder under umask 000', () => {
    process.umask(0o000)
    const target = { kind: 'sqlite' as const, path: join(root, 'secret-data', 'gatehouse.db') }
    const secret = loadDevelopmentSecret(target)
    expect(secret.length).toBeGreaterThanOrEqual(43)
    expect(mode(join(root, 'secret-data'))).toBe(0o700)
    expect(mode(join(root, 'secret-data', 'secret'))).toBe(0o600)
    expect(loadDevelopmentSecret(target)).toBe(secret)
  })

  it('finding 4: warns at start about an existing database or secret file others can read', async () => {
    const path = join(root, 'gatehouse.db')
    const target = { kind: 'sqlite' as const, path }
    loadDevelopmentSecret(target)
    const first = connectDatabase(target)
    await migrateToLatest(first.db)
    await first.db.destroy()
    chmodSync(path, 0o644)
    chmodSync(join(root, 'secret'), 0o640)
    expect(databaseFileWarnings(target)).toEqual([expect.stringContaining(`${path} is mode 0644`)])
    expect(developmentSecretWarnings(target)).toEqual([expect.stringContaining('secret is mode 0640')])

    const lines: string[] = []
    const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) })
    const config = testConfig({ GATEHOUSE_DATABASE_URL: `sqlite:${path}`, GATEHOUSE_SECRET: undefined })
    expect(config.secretGenerated).toBe(true)
    const context = await createServiceContext(config, log)
    await closeServiceContext(context)
    const warnings = lines.map((line) => (JSON.parse(line) as { msg: string }).msg)
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`${path} is mode 0644`),
        expect.stringContaining('secret is mode 0640'),
      ]),
    )
    // Warned about, never changed behind the operator's back.
    expect(mode(path)).toBe(0o644)
  })
})
