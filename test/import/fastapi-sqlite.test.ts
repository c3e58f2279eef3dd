import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { countUsers, findUserByCanonicalName } from '../../src/db/users.ts'
import { countAuditEvents } from '../../src/db/audit.ts'
import { openFastapiSqlite } from '../../src/services/import/fastapi-sqlite.ts'
import { ImportConflictError, importUsers } from '../../src/services/import/importer.ts'
import { attemptLogin } from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { temporaryDirectory } from '../helpers/files.ts'
import { OLD_PASSWORDS, writeSeedDatabase } from './fixture.ts'

const directory = temporaryDirectory('import')
const seedPath = join(directory, 'test.db')
const seedWithRoles = join(directory, 'roles.db')
writeSeedDatabase(seedPath)
writeSeedDatabase(seedWithRoles, { roleColumn: true })

describe.each(DIALECTS)('gatehouse import fastapi-sqlite on %s', (dialect) => {
  const testApp = useTestApp(() => createTestApp({ dialect }), 'test')

  const run = (path: string, options: { dryRun?: boolean; onConflict?: 'skip' | 'fail' } = {}) => {
    const source = openFastapiSqlite(path)
    return importUsers(testApp.app.services, source, {
      dryRun: options.dryRun ?? false,
      onConflict: options.onConflict ?? 'skip',
    }).finally(source.close)
  }

  it('imports good rows with their hashes kept, and reports every bad row', async () => {
    const summary = await run(seedPath)
    expect(summary).toMatchObject({ imported: 2, skipped: 1, invalid: 4, dryRun: false })
    expect(summary.problems.map(({ ref, reason }) => `${ref} ${reason}`)).toEqual([
      'id 3 missing_hash',
      'id 4 unrecognized_hash',
      'id 5 username_exists',
      'id 6 invalid_username',
      'id 7 unrecognized_hash',
    ])
    const db = testApp.app.services.db
    const alice = await findUserByCanonicalName(db, 'alice')
    expect(alice?.password_hash).toMatch(/^\$2b\$12\$/)
    expect(alice?.role).toBe('user')
    expect((await findUserByCanonicalName(db, 'bob'))?.username).toBe('Bob')
    expect(await countAuditEvents(db, 'users.import')).toBe(1)
  })

  it('lets an imported user log in with the old password, upgrading the hash to argon2id', async () => {
    await run(seedPath)
    const { app } = testApp
    const login = await attemptLogin(app, 'alice', OLD_PASSWORDS.alice)
    expect(login.statusCode).toBe(200)
    const alice = await findUserByCanonicalName(app.services.db, 'alice')
    expect(alice?.password_hash).toMatch(/^\$argon2id\$/)
    // The upgraded hash still accepts the same password, and nothing else.
    const again = await attemptLogin(app, 'ALICE', OLD_PASSWORDS.alice)
    expect(again.statusCode).toBe(200)
    const wrong = await attemptLogin(app, 'bob', OLD_PASSWORDS.alice)
    expect(wrong.statusCode).toBe(401)
  })

  it('--dry-run reports exactly what would happen and writes nothing, not even the audit row', async () => {
    const summary = await run(seedPath, { dryRun: true })
    expect(summary).toMatchObject({ imported: 2, skipped: 1, invalid: 4, dryRun: true })
    expect(await countUsers(testApp.app.services.db)).toBe(0)
    expect(await countAuditEvents(testApp.app.services.db, 'users.import')).toBe(0)
  })

  it('--on-conflict skip is idempotent; --on-conflict fail imports nothing when a name exists', async () => {
    await run(seedPath)
    expect(await run(seedPath)).toMatchObject({ imported: 0, skipped: 3, invalid: 4 })
    await testApp.app.services.db.deleteFrom('users').where('username_canonical', '=', 'bob').execute()
    await expect(run(seedPath, { onConflict: 'fail' })).rejects.toBeInstanceOf(ImportConflictError)
    // Bob would have been imported after alice's conflict; the rollback means he was not.
    expect(await findUserByCanonicalName(testApp.app.services.db, 'bob')).toBeUndefined()
  })

  it('uses a role column when the seed has one, refusing unknown roles', async () => {
    const summary = await run(seedWithRoles)
    expect(summary).toMatchObject({ imported: 2, invalid: 5 })
    expect(summary.problems.at(-1)).toEqual({ ref: 'id 8', username: 'frank', reason: 'unknown_role' })
    expect((await findUserByCanonicalName(testApp.app.services.db, 'alice'))?.role).toBe('admin')
  })

  it('refuses a file without the seed’s users table', async () => {
    expect(() => openFastapiSqlite(join(directory, 'missing.db'))).toThrow()
  })
})
