import type { Kysely } from 'kysely'
import { createIndex, createTable, optional, ownedBy, primaryKey, required } from './tables.ts'

// Frozen: never change what a shipped migration runs; add a new one instead (test/db/migration-sql.test.ts
// compares every statement with its snapshot).

export async function up(db: Kysely<any>): Promise<void> {
  await createTable(db, 'refresh_tokens', [
    primaryKey(),
    // The family is the session: revoking the session kills every token in it.
    ownedBy('session_id', 'sessions.id'),
    required('text', 'token_hash'),
    optional('text', 'parent_id'),
    required('bigint', 'created_at', 'idle_expires_at'),
    optional('bigint', 'rotated_at'),
    // Only with a reuse grace window: the successor pair, sealed under GATEHOUSE_SECRET, so a
    // concurrent retry gets the very same pair back instead of opening a second branch.
    optional('text', 'grace_response_sealed'),
  ])
  await createIndex(db, 'refresh_tokens_token_hash_key', 'refresh_tokens', ['token_hash'], { unique: true })
  await createIndex(db, 'refresh_tokens_session_id_idx', 'refresh_tokens', ['session_id'])
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('refresh_tokens').execute()
}
