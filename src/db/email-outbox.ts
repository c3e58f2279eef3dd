import type { Insertable, Selectable } from 'kysely'
import { deleteRowsEndedBefore, updateRows } from './rows.ts'
import type { EmailOutboxTable, Executor } from './schema.ts'

/** A stored outbox row. */
export type OutboxRow = Selectable<EmailOutboxTable>

/** Queues one message; pass the transaction of the change it belongs to. */
export async function insertOutboxMessage(db: Executor, row: Insertable<EmailOutboxTable>): Promise<void> {
  await db.insertInto('email_outbox').values(row).execute()
}

/** Ids of messages due for a (re)try, oldest first: unsent, not given up, not claimed by a live sender. */
export async function listDueOutboxIds(db: Executor, now: number, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('email_outbox')
    .select('id')
    .where('sent_at', 'is', null)
    .where('failed_at', 'is', null)
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(limit)
    .execute()
  return rows.map((row) => row.id)
}

/**
 * Claims one due message for `holder` until `until` in one conditional update and returns it, or
 * undefined when another sender claimed (or sent) it first: of two senders exactly one gets the row.
 */
export async function claimOutboxMessage(
  db: Executor,
  id: string,
  holder: string,
  now: number,
  until: number,
): Promise<OutboxRow | undefined> {
  return db
    .updateTable('email_outbox')
    .set({ claimed_by: holder, claimed_until: until })
    .where('id', '=', id)
    .where('sent_at', 'is', null)
    .where('failed_at', 'is', null)
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
    .returningAll()
    .executeTakeFirst()
}

/** Marks a claimed message sent. */
export async function markOutboxSent(db: Executor, id: string, holder: string, now: number): Promise<void> {
  await updateRows(
    db,
    'email_outbox',
    { id, claimed_by: holder },
    { sent_at: now, claimed_by: null, claimed_until: null, attempts: (eb) => eb('attempts', '+', 1) },
  )
}

/** Records a failed attempt: retried at `nextAttemptAt`, or given up (`failedAt`) after the last try. */
export async function markOutboxAttemptFailed(
  db: Executor,
  id: string,
  holder: string,
  outcome: { error: string; nextAttemptAt: number; failedAt: number | null },
): Promise<void> {
  await updateRows(
    db,
    'email_outbox',
    { id, claimed_by: holder },
    {
      attempts: (eb) => eb('attempts', '+', 1),
      next_attempt_at: outcome.nextAttemptAt,
      failed_at: outcome.failedAt,
      last_error: outcome.error.slice(0, 200),
      claimed_by: null,
      claimed_until: null,
    },
  )
}

/** Deletes messages sent or given up before `before` (their content is no use once delivered). */
export async function purgeOutbox(db: Executor, before: number): Promise<number> {
  return deleteRowsEndedBefore(db, 'email_outbox', ['sent_at', 'failed_at'], before)
}
