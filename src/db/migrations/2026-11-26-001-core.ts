import type { Kysely } from 'kysely'
import { createIndex, createTable, optional, ownedBy, primaryKey, required } from './tables.ts'

// Frozen: never change what a shipped migration runs; add a new one instead (test/db/migration-sql.test.ts
// compares every statement with its snapshot).
// The column types here mean the same on SQLite and PostgreSQL; ids and times are made in code.

export async function up(db: Kysely<any>): Promise<void> {
  await createTable(db, 'users', [
    primaryKey(),
    required('text', 'username', 'username_canonical', 'password_hash', 'role'),
    required('bigint', 'created_at', 'updated_at'),
    optional('bigint', 'disabled_at', 'last_login_at'),
  ])
  // The database, not a read-then-write check, is what makes usernames unique under parallel requests.
  await createIndex(db, 'users_username_canonical_key', 'users', ['username_canonical'], { unique: true })

  await createTable(db, 'sessions', [
    primaryKey(),
    ownedBy('user_id', 'users.id'),
    required('bigint', 'created_at', 'last_used_at', 'expires_at'),
    optional('bigint', 'revoked_at'),
    optional('text', 'revoked_reason', 'user_agent', 'ip'),
  ])
  await createIndex(db, 'sessions_user_id_idx', 'sessions', ['user_id'])
  await createIndex(db, 'sessions_expires_at_idx', 'sessions', ['expires_at'])

  await createTable(db, 'signing_keys', [
    primaryKey('kid'),
    required('text', 'algorithm', 'public_jwk', 'private_jwk_encrypted'),
    required('bigint', 'created_at', 'not_before'),
    optional('bigint', 'retired_at', 'published_until'),
  ])
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('signing_keys').execute()
  await db.schema.dropTable('sessions').execute()
  await db.schema.dropTable('users').execute()
}
