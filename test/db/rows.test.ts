import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { migrateToLatest } from '../../src/db/migrate.ts'
import { consumeRow, deleteRowsEndedBefore, selectRows, updateRows } from '../../src/db/rows.ts'
import { createTestDatabase, DIALECTS, type TestDatabase } from '../helpers/databases.ts'
import type { TestDb } from '../helpers/rows.ts'

// db/rows.ts builds the repositories' shared query shapes on an untyped view of the database, so the two
// rules every caller leans on are pinned here, on each engine: null is matched with `is null`, and a
// condition whose value is undefined matches no row rather than being dropped (which would match all).

const NOW = 1_800_000_000_000

describe.each(DIALECTS)('shared row queries on %s', (dialect) => {
  let database: TestDatabase
  let db: TestDb

  beforeEach(async () => {
    database = await createTestDatabase(dialect)
    db = database.handle.db
    await migrateToLatest(db)
    await db
      .insertInto('webauthn_challenges')
      .values([
        challenge('nobody', NOW + 60_000),
        challenge('someone', NOW - 1),
        challenge('spent', NOW + 60_000, NOW - 5),
      ])
      .execute()
  })

  afterEach(async () => {
    await database.close()
  })

  it('matches a null value with `is null`', async () => {
    const unspent = await selectRows(db, 'webauthn_challenges', { consumed_at: null }).orderBy('id').execute()
    expect(unspent.map((row) => row.id)).toEqual(['nobody', 'someone'])
  })

  it('matches no row for a condition whose value is undefined', async () => {
    const changed = await updateRows(db, 'webauthn_challenges', { id: undefined }, { purpose: 'changed' })
    expect(changed).toBe(0)
    const purposes = await db.selectFrom('webauthn_challenges').select('purpose').distinct().execute()
    expect(purposes).toEqual([{ purpose: 'login' }])
  })

  it('consumes a live row once, and never an expired or spent one', async () => {
    const [first, second] = await Promise.all([
      consumeRow(db, 'webauthn_challenges', { id: 'nobody' }, NOW),
      consumeRow(db, 'webauthn_challenges', { id: 'nobody' }, NOW),
    ])
    expect([first?.id, second?.id].filter(Boolean)).toEqual(['nobody'])
    expect(await consumeRow(db, 'webauthn_challenges', { id: 'someone' }, NOW)).toBeUndefined()
    expect(await consumeRow(db, 'webauthn_challenges', { id: 'spent' }, NOW)).toBeUndefined()
  })

  it('purges the rows in which any end time is before the cut-off', async () => {
    const purged = await deleteRowsEndedBefore(db, 'webauthn_challenges', ['expires_at', 'consumed_at'], NOW)
    expect(purged).toBe(2)
    const left = await db.selectFrom('webauthn_challenges').select('id').execute()
    expect(left).toEqual([{ id: 'nobody' }])
  })
})

function challenge(id: string, expiresAt: number, consumedAt: number | null = null) {
  return {
    id,
    user_id: null,
    purpose: 'login',
    challenge_hash: `hash-${id}`,
    binding: '',
    created_at: NOW - 60_000,
    expires_at: expiresAt,
    consumed_at: consumedAt,
  }
}
