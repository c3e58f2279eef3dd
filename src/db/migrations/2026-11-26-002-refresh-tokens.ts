import type { Kysely } from 'kysely'

// Frozen: never edit a migration that has shipped; add a new one instead.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('refresh_tokens')
    .addColumn('id', 'text', (column) => column.primaryKey())
    // The family is the session: revoking the session kills every token in it.
    .addColumn('session_id', 'text', (column) =>
      column.notNull().references('sessions.id').onDelete('cascade'),
    )
    .addColumn('token_hash', 'text', (column) => column.notNull())
    .addColumn('parent_id', 'text')
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('idle_expires_at', 'bigint', (column) => column.notNull())
    .addColumn('rotated_at', 'bigint')
    // Only with a reuse grace window: the successor pair, sealed under GATEHOUSE_SECRET, so a
    // concurrent retry gets the very same pair back instead of opening a second branch.
    .addColumn('grace_response_sealed', 'text')
    .execute()
  await db.schema
    .createIndex('refresh_tokens_token_hash_key')
    .on('refresh_tokens')
    .column('token_hash')
    .unique()
    .execute()
  await db.schema
    .createIndex('refresh_tokens_session_id_idx')
    .on('refresh_tokens')
    .column('session_id')
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('refresh_tokens').execute()
}
