import { describe, expect, it } from 'vitest'
import { canonicalUsername } from '../../src/services/usernames.ts'
import { attemptLogin } from '../helpers/api.ts'
import type { TestApp } from '../helpers/app.ts'
import { DIALECTS, migratorFor, type TestDatabase } from '../helpers/databases.ts'
import { closedAfterEach } from '../helpers/hooks.ts'
import { insertUserRowWithoutSkeleton } from '../helpers/rows.ts'
import { PASSWORD } from '../helpers/users.ts'

// Regression (security review): usernames were compared by NFKC + toLowerCase(), which is not case
// folding, so "straße" and "STRASSE", or "σας" and "σασ", were two accounts.
describe('canonicalUsername', () => {
  it.each([
    ['straße', 'strasse'],
    ['STRASSE', 'strasse'],
    ['STRAẞE', 'strasse'],
    ['σας', 'σασ'],
    ['σασ', 'σασ'],
    ['ΣΑΣ', 'σασ'],
    ['ｒａｃｅ', 'race'],
    ['Alice.Smith_1@example+x-y', 'alice.smith_1@example+x-y'],
  ])('%s → %s', (username, canonical) => {
    expect(canonicalUsername(username)).toBe(canonical)
  })

  it('leaves ordinary lower-case names unchanged and is idempotent', () => {
    for (const name of ['alice', 'bob.smith', 'user_42', 'jürgen', 'ζωή', 'istanbul', 'o.brien-2']) {
      expect(canonicalUsername(name)).toBe(name)
      expect(canonicalUsername(canonicalUsername(name))).toBe(canonicalUsername(name))
    }
  })

  it('keeps the key of a prefix a prefix of the key (the admin search filters by it)', () => {
    // A word-final sigma lower-cases to "ς": without folding it to "σ", "ασ" would not find "ασα".
    expect(canonicalUsername('ασα').startsWith(canonicalUsername('ΑΣ'))).toBe(true)
  })
})

describe.each(DIALECTS)('usernames are unique by case folding on %s', (dialect) => {
  const fresh = closedAfterEach()
  let testApp: TestApp
  const register = (username: string) =>
    testApp.app.inject({ method: 'POST', url: '/register', payload: { username, password: PASSWORD } })

  it.each([
    ['straße', 'STRASSE'],
    ['straße', 'strasse'],
    ['σας', 'σασ'],
    ['σας', 'ΣΑΣ'],
    ['STRAẞE', 'straße'],
  ])('refuses %s and %s as two accounts', async (first, second) => {
    testApp = await fresh.app({ dialect })
    expect((await register(first)).statusCode).toBe(201)
    expect((await register(second)).statusCode).toBe(409)
  })

  it('logs in with any case of the name', async () => {
    testApp = await fresh.app({ dialect })
    expect((await register('straße')).statusCode).toBe(201)
    const login = await attemptLogin(testApp.app, 'STRASSE', PASSWORD)
    expect(login.statusCode).toBe(200)
  })

  // Inserted at migration 004, with the canonical name of that time (NFKC + lower case).
  const insertOldStyle = (handle: TestDatabase['handle'], id: string, username: string) =>
    insertUserRowWithoutSkeleton(handle.db, {
      id,
      username,
      usernameCanonical: username.normalize('NFKC').toLowerCase(),
    })

  it('migrates lower-cased canonical names to folded ones', async () => {
    const database = await fresh.database(dialect)
    const migrator = migratorFor(database.handle.db)
    expect((await migrator.migrateTo('2026-11-26-004-leases')).error).toBeUndefined()
    await insertOldStyle(database.handle, 'a', 'Straße')
    await insertOldStyle(database.handle, 'b', 'Alice')
    await insertOldStyle(database.handle, 'c', 'Σας')
    expect((await migrator.migrateToLatest()).error).toBeUndefined()
    const rows = await database.handle.db
      .selectFrom('users')
      .select(['id', 'username_canonical'])
      .orderBy('id')
      .execute()
    expect(rows).toEqual([
      { id: 'a', username_canonical: 'strasse' },
      { id: 'b', username_canonical: 'alice' },
      { id: 'c', username_canonical: 'σασ' },
    ])
  })

  it('stops on names that collide once folded, naming both, and changes nothing', async () => {
    const database = await fresh.database(dialect)
    const migrator = migratorFor(database.handle.db)
    await migrator.migrateTo('2026-11-26-004-leases')
    await insertOldStyle(database.handle, 'a', 'straße')
    await insertOldStyle(database.handle, 'b', 'strasse')
    const result = await migrator.migrateToLatest()
    expect(String(result.error)).toContain('"straße" and "strasse"')
    const rows = await database.handle.db
      .selectFrom('users')
      .select('username_canonical')
      .orderBy('id')
      .execute()
    expect(rows.map((row) => row.username_canonical)).toEqual(['straße', 'strasse'])
  })
})
