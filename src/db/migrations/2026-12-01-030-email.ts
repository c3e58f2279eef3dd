import { sql, type Kysely } from 'kysely'

// Frozen: never change what a shipped migration runs; add a new one instead (test/db/migration-sql.test.ts
// compares every statement with its snapshot).
// Issue 11: an optional email address per account. `email` keeps the address as typed; `email_key` is
// its normalized form (IDNA/lower-case domain, case-folded local part). Only verified addresses are
// unique (a partial index): an unverified address proves nothing, so letting it block the real owner
// from registering or verifying would hand anyone a way to squat other people's addresses.
// `email_verified` is an integer 0/1, which both engines store and compare alike.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('email', 'text').execute()
  await db.schema.alterTable('users').addColumn('email_key', 'text').execute()
  await db.schema
    .alterTable('users')
    .addColumn('email_verified', 'integer', (column) => column.notNull().defaultTo(0))
    .execute()
  await db.schema.alterTable('users').addColumn('email_verified_at', 'bigint').execute()
  await db.schema
    .createIndex('users_verified_email_key')
    .on('users')
    .column('email_key')
    .unique()
    .where(sql<boolean>`email_verified = 1`)
    .execute()
  await db.schema.createIndex('users_email_key_idx').on('users').column('email_key').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('users_email_key_idx').execute()
  await db.schema.dropIndex('users_verified_email_key').execute()
  for (const column of ['email_verified_at', 'email_verified', 'email_key', 'email']) {
    await db.schema.alterTable('users').dropColumn(column).execute()
  }
}
