import type { Kysely } from 'kysely'

// Frozen: never edit a migration that has shipped; add a new one instead.
// Second factors (issue 12): TOTP secrets (sealed), recovery codes (hashed), WebAuthn credentials and
// challenges, and what each session's authentication proved (RFC 8176 `amr`, `auth_time`).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('totp_factors')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('user_id', 'text', (column) => column.notNull().references('users.id').onDelete('cascade'))
    .addColumn('secret_sealed', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('confirmed_at', 'bigint')
    .addColumn('last_used_step', 'bigint')
    .execute()
  // One TOTP factor per account (pending or active): enrollment replaces a pending one.
  await db.schema
    .createIndex('totp_factors_user_id_key')
    .on('totp_factors')
    .column('user_id')
    .unique()
    .execute()

  await db.schema
    .createTable('recovery_codes')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('user_id', 'text', (column) => column.notNull().references('users.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('used_at', 'bigint')
    .execute()
  await db.schema
    .createIndex('recovery_codes_code_hash_key')
    .on('recovery_codes')
    .column('code_hash')
    .unique()
    .execute()
  await db.schema.createIndex('recovery_codes_user_id_idx').on('recovery_codes').column('user_id').execute()

  await db.schema
    .createTable('webauthn_credentials')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('user_id', 'text', (column) => column.notNull().references('users.id').onDelete('cascade'))
    .addColumn('credential_id', 'text', (column) => column.notNull())
    .addColumn('public_key', 'text', (column) => column.notNull())
    .addColumn('counter', 'bigint', (column) => column.notNull())
    .addColumn('transports', 'text', (column) => column.notNull())
    .addColumn('device_type', 'text', (column) => column.notNull())
    .addColumn('backed_up', 'integer', (column) => column.notNull())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute()
  await db.schema
    .createIndex('webauthn_credentials_credential_id_key')
    .on('webauthn_credentials')
    .column('credential_id')
    .unique()
    .execute()
  await db.schema
    .createIndex('webauthn_credentials_user_id_idx')
    .on('webauthn_credentials')
    .column('user_id')
    .execute()

  // WebAuthn challenges: like one_time_secrets, but a passwordless challenge is issued before anyone is
  // named, so the user is optional here.
  await db.schema
    .createTable('webauthn_challenges')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('user_id', 'text', (column) => column.references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (column) => column.notNull())
    .addColumn('challenge_hash', 'text', (column) => column.notNull())
    .addColumn('binding', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('expires_at', 'bigint', (column) => column.notNull())
    .addColumn('consumed_at', 'bigint')
    .execute()
  await db.schema
    .createIndex('webauthn_challenges_challenge_hash_key')
    .on('webauthn_challenges')
    .column('challenge_hash')
    .unique()
    .execute()

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
