import type { Kysely } from 'kysely'
import { createIndex, createTable, optional, primaryKey, required } from './tables.ts'

// Frozen: never change what a shipped migration runs; add a new one instead (test/db/migration-sql.test.ts
// compares every statement with its snapshot).
// Issue 11: the durable email outbox. A request writes its message here in its own transaction; a
// background sender delivers it. `sealed` is the whole message (recipient, subject, bodies) encrypted
// with the SecretBox, so addresses and one-time links are not readable at rest.

export async function up(db: Kysely<any>): Promise<void> {
  await createTable(db, 'email_outbox', [
    primaryKey(),
    required('text', 'kind'),
    // No foreign key: a message queued for an account deleted a moment later (its notice) still goes out.
    optional('text', 'user_id'),
    required('text', 'sealed'),
    required('bigint', 'created_at'),
    required('integer', 'attempts'),
    required('bigint', 'next_attempt_at'),
    optional('text', 'claimed_by'),
    optional('bigint', 'claimed_until', 'sent_at', 'failed_at'),
    optional('text', 'last_error'),
  ])
  await createIndex(db, 'email_outbox_due_idx', 'email_outbox', ['sent_at', 'failed_at', 'next_attempt_at'])
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('email_outbox').execute()
}
