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
