import { describe, expect, it } from 'vitest'
import { migrateToLatest } from '../../src/db/migrate.ts'
import { runUnderLease } from '../../src/services/jobs/lease.ts'
import { ManualClock } from '../helpers/clock.ts'
import { connectPostgres, DIALECTS } from '../helpers/databases.ts'
import { closedAfterEach } from '../helpers/hooks.ts'

// Issue 17: background jobs run on one instance of a deployment at a time. The purges take a lease on
// their timer (plugins/jobs.ts); this is that lease, with instances as holders on one database.

describe.each(DIALECTS)('runUnderLease on %s', (dialect) => {
  const fresh = closedAfterEach()
  const TTL_MS = 60_000

  it('lets one of several instances run a pass, renews for it, and hands over once the lease lapses', async () => {
    const database = await fresh.database(dialect)
    await migrateToLatest(database.handle.db)
    const clock = new ManualClock()
    // On PostgreSQL each instance has its own pool, as separate processes would.
    const handles = [0, 1, 2].map(() =>
      database.schema ? connectPostgres(database.schema).db : database.handle.db,
    )
    const ran: string[] = []
    const pass = (index: number) =>
      runUnderLease(
        { db: handles[index] ?? database.handle.db, clock },
        { name: 'purge', holder: `i${index}`, ttlMs: TTL_MS },
        async () => {
          ran.push(`i${index}`)
        },
      )
    try {
      const outcomes = await Promise.all([pass(0), pass(1), pass(2)])
      expect(outcomes.filter(Boolean)).toHaveLength(1)
      expect(ran).toHaveLength(1)
      const holder = ran[0] ?? ''
      const holderIndex = Number(holder.slice(1))
      const others = [0, 1, 2].filter((index) => index !== holderIndex)

      clock.advance(TTL_MS - 1)
      expect(await pass(others[0] ?? 0)).toBe(false)
      expect(await pass(holderIndex)).toBe(true)

      // The holder stops (or dies): after its lease lapses, exactly one other instance takes over.
      clock.advance(TTL_MS)
      const takeover = await Promise.all(others.map((index) => pass(index)))
      expect(takeover.filter(Boolean)).toHaveLength(1)
      expect(ran).toHaveLength(3)
    } finally {
      if (database.schema) for (const handle of handles) await handle.destroy()
    }
  })
})
