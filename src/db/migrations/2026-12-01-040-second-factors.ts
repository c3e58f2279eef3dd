import type { Kysely } from 'kysely'
import {
  createIndex,
  createTable,
  optional,
  optionallyOwnedBy,
  ownedBy,
  primaryKey,
  required,
} from './tables.ts'

// Frozen: never change what a shipped migration runs; add a new one instead (test/db/migration-sql.test.ts
// compares every statement with its snapshot).
// Second factors (issue 12): TOTP secrets (sealed), recovery codes (hashed), WebAuthn credentials and
// challenges, and what each session's authentication proved (RFC 8176 `amr`, `auth_time`).

export async function up(db: Kysely<any>): Promise<void> {
  await createTable(db, 'totp_factors', [
    primaryKey(),
    ownedBy('user_id', 'users.id'),
    required('text', 'secret_sealed'),
    required('bigint', 'created_at'),
    optional('bigint', 'confirmed_at', 'last_used_step'),
  ])
  // One TOTP factor per account (pending or active): enrollment replaces a pending one.
  await createIndex(db, 'totp_factors_user_id_key', 'totp_factors', ['user_id'], { unique: true })

  await createTable(db, 'recovery_codes', [
    primaryKey(),
    ownedBy('user_id', 'users.id'),
    required('text', 'code_hash'),
    required('bigint', 'created_at'),
    optional('bigint', 'used_at'),
  ])
  await createIndex(db, 'recovery_codes_code_hash_key', 'recovery_codes', ['code_hash'], { unique: true })
  await createIndex(db, 'recovery_codes_user_id_idx', 'recovery_codes', ['user_id'])

  await createTable(db, 'webauthn_credentials', [
    primaryKey(),
    ownedBy('user_id', 'users.id'),
    required('text', 'credential_id', 'public_key'),
    required('bigint', 'counter'),
    required('text', 'transports', 'device_type'),
    required('integer', 'backed_up'),
    required('text', 'name'),
    required('bigint', 'created_at'),
    optional('bigint', 'last_used_at'),
  ])
  await createIndex(db, 'webauthn_credentials_credential_id_key', 'webauthn_credentials', ['credential_id'], {
    unique: true,
  })
  await createIndex(db, 'webauthn_credentials_user_id_idx', 'webauthn_credentials', ['user_id'])

  // WebAuthn challenges: like one_time_secrets, but a passwordless challenge is issued before anyone is
  // named, so the user is optional here.
  await createTable(db, 'webauthn_challenges', [
    primaryKey(),
    optionallyOwnedBy('user_id', 'users.id'),
    required('text', 'purpose', 'challenge_hash', 'binding'),
    required('bigint', 'created_at', 'expires_at'),
    optional('bigint', 'consumed_at'),
  ])
  await createIndex(db, 'webauthn_challenges_challenge_hash_key', 'webauthn_challenges', ['challenge_hash'], {
    unique: true,
  })

  // Null on sessions opened before this migration: read as a password login at the session's start.
  await db.schema.alterTable('sessions').addColumn('amr', 'text').execute()
  await db.schema.alterTable('sessions').addColumn('auth_time', 'bigint').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').dropColumn('auth_time').execute()
  await db.schema.alterTable('sessions').dropColumn('amr').execute()
  await db.schema.dropTable('webauthn_challenges').execute()
  await db.schema.dropTable('webauthn_credentials').execute()
  await db.schema.dropTable('recovery_codes').execute()
  await db.schema.dropTable('totp_factors').execute()
}
