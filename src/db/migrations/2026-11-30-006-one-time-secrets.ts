import type { Kysely } from 'kysely'

// Frozen: never edit a migration that has shipped; add a new one instead.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('one_time_secrets')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('user_id', 'text', (column) => column.notNull().references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (column) => column.notNull())
    .addColumn('binding', 'text', (column) => column.notNull())
    .addColumn('token_hash', 'text', (column) => column.notNull())
    .addColumn('code_hash', 'text')
    .addColumn('failed_attempts', 'integer', (column) => column.notNull())
    .addColumn('max_attempts', 'integer', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('expires_at', 'bigint', (column) => column.notNull())
    .addColumn('consumed_at', 'bigint')
    .execute()
  await db.schema
    .createIndex('one_time_secrets_token_hash_key')
    .on('one_time_secrets')
    .column('token_hash')
    .unique()
    .execute()
  await db.schema
    .createIndex('one_time_secrets_user_purpose_idx')
    .on('one_time_secrets')
    .columns(['user_id', 'purpose'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('one_time_secrets').execute()
}
