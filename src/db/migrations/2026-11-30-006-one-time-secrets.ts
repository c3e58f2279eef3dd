import type { Kysely } from 'kysely'
import { createIndex, createTable, optional, ownedBy, primaryKey, required } from './tables.ts'

// Frozen: never change what a shipped migration runs; add a new one instead (test/db/migration-sql.test.ts
// compares every statement with its snapshot).

export async function up(db: Kysely<any>): Promise<void> {
  await createTable(db, 'one_time_secrets', [
    primaryKey(),
    ownedBy('user_id', 'users.id'),
    required('text', 'purpose', 'binding', 'token_hash'),
    optional('text', 'code_hash'),
    required('integer', 'failed_attempts', 'max_attempts'),
    required('bigint', 'created_at', 'expires_at'),
    optional('bigint', 'consumed_at'),
  ])
  await createIndex(db, 'one_time_secrets_token_hash_key', 'one_time_secrets', ['token_hash'], {
    unique: true,
  })
  await createIndex(db, 'one_time_secrets_user_purpose_idx', 'one_time_secrets', ['user_id', 'purpose'])
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('one_time_secrets').execute()
}
