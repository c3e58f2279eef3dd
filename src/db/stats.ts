import { sql } from 'kysely'
import type { Executor } from './schema.ts'

/** Sessions neither revoked nor expired at `now`, for the active-sessions gauge. */
export async function countActiveSessions(db: Executor, now: number): Promise<number> {
  const row = await db
    .selectFrom('sessions')
    .select(sql<number | string>`count(*)`.as('count'))
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

/** Outbox messages neither sent nor given up, and how many of them have failed at least `failing` times. */
export async function countPendingEmails(
  db: Executor,
  failing = 3,
): Promise<{ pending: number; failing: number }> {
  const row = await db
    .selectFrom('email_outbox')
    .select([
      sql<number | string>`count(*)`.as('pending'),
      sql<number | string>`count(case when attempts >= ${failing} then 1 end)`.as('failing'),
    ])
    .where('sent_at', 'is', null)
    .where('failed_at', 'is', null)
    .executeTakeFirstOrThrow()
  return { pending: Number(row.pending), failing: Number(row.failing) }
}
