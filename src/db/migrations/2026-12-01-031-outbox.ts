import type { Kysely } from 'kysely'

// Frozen: never edit a migration that has shipped; add a new one instead.
// Issue 11: the durable email outbox. A request writes its message here in its own transaction; a
// background sender delivers it. `sealed` is the whole message (recipient, subject, bodies) encrypted
// with the SecretBox, so addresses and one-time links are not readable at rest.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('email_outbox')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('kind', 'text', (column) => column.notNull())
    // No foreign key: a message queued for an account deleted a moment later (its notice) still goes out.
    .addColumn('user_id', 'text')
    .addColumn('sealed', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('attempts', 'integer', (column) => column.notNull())
    .addColumn('next_attempt_at', 'bigint', (column) => column.notNull())
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_until', 'bigint')
    .addColumn('sent_at', 'bigint')
    .addColumn('failed_at', 'bigint')
    .addColumn('last_error', 'text')
    .execute()
  await db.schema
    .createIndex('email_outbox_due_idx')
    .on('email_outbox')
    .columns(['sent_at', 'failed_at', 'next_attempt_at'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('email_outbox').execute()
}
