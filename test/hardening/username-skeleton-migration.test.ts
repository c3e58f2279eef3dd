import { afterEach, describe, expect, it } from 'vitest'
import { canonicalUsername, usernameSkeleton } from '../../src/services/usernames.ts'
import { createTestDatabase, DIALECTS, migratorFor, type TestDatabase } from '../helpers/databases.ts'
import { insertUserRowWithoutSkeleton } from '../helpers/rows.ts'

const BEFORE = '2026-11-30-006-throttle-counters'

// Regression (issue 16, finding 1): existing accounts get their skeleton, and names that now collide are
// reported by the upgrade, never merged or renamed silently (as migration 005 does for case folding).
describe.each(DIALECTS)('the username skeleton migration on %s', (dialect) => {
  let database: TestDatabase | undefined
  afterEach(async () => {
    if (database) {
      await database.handle.db.destroy()
      await database.drop()
      database = undefined
    }
  })
  // Rows as the schema of migration 006 has them: no username_skeleton yet.
  const insertBefore = (db: TestDatabase['handle']['db'], id: string, username: string) =>
    insertUserRowWithoutSkeleton(db, { id, username, usernameCanonical: canonicalUsername(username) })
  const columns = async (db: TestDatabase['handle']['db']) =>
    (await db.introspection.getTables())
      .find((table) => table.name === 'users')
      ?.columns.map((column) => column.name)

  it('finding 1: fills every skeleton, and the unique index then holds', async () => {
    database = await createTestDatabase(dialect)
    const { db } = database.handle
    const migrator = migratorFor(db)
    expect((await migrator.migrateTo(BEFORE)).error).toBeUndefined()
    await insertBefore(db, 'a', 'root1')
    await insertBefore(db, 'b', 'Alice')
    await insertBefore(db, 'c', 'straße')
    expect((await migrator.migrateToLatest()).error).toBeUndefined()
    const rows = await db.selectFrom('users').select(['id', 'username_skeleton']).orderBy('id').execute()
    expect(rows).toEqual([
      { id: 'a', username_skeleton: usernameSkeleton('root1') },
      { id: 'b', username_skeleton: usernameSkeleton('alice') },
      { id: 'c', username_skeleton: usernameSkeleton('strasse') },
    ])
    await expect(
      db
        .updateTable('users')
        .set({ username_skeleton: usernameSkeleton('root1') })
        .where('id', '=', 'b')
        .execute(),
    ).rejects.toThrow()
  })

  it('finding 1: stops on accounts whose names now look alike, naming both, and changes nothing', async () => {
    database = await createTestDatabase(dialect)
    const { db } = database.handle
    const migrator = migratorFor(db)
    await migrator.migrateTo(BEFORE)
    await insertBefore(db, 'a', 'root1')
    await insertBefore(db, 'b', 'r\u043E\u043Et1')
    await insertBefore(db, 'c', 'paypal')
    await insertBefore(db, 'd', 'root1\uFE0F')
    const result = await migrator.migrateToLatest()
    expect(String(result.error)).toContain('"root1" and "r\u043E\u043Et1"')
    expect(String(result.error)).toContain('"root1" and "root1\uFE0F"')
    expect(String(result.error)).not.toContain('paypal')
    // Rolled back whole: no column, no index, no migration recorded, the names as they were.
    expect(await columns(db)).not.toContain('username_skeleton')
    const names = await db.selectFrom('users').select('username').orderBy('id').execute()
    expect(names.map((row) => row.username)).toEqual(['root1', 'r\u043E\u043Et1', 'paypal', 'root1\uFE0F'])
    // The operator renames the lookalikes (the previous version can), and the upgrade then goes through.
    await db
      .updateTable('users')
      .set({ username: 'rita', username_canonical: 'rita' })
      .where('id', '=', 'b')
      .execute()
    await db
      .updateTable('users')
      .set({ username: 'rob', username_canonical: 'rob' })
      .where('id', '=', 'd')
      .execute()
    expect((await migrator.migrateToLatest()).error).toBeUndefined()
    expect(await columns(db)).toContain('username_skeleton')
  })
})
