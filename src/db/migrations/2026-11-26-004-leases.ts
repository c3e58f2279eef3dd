import type { Kysely } from 'kysely'
import { createTable, primaryKey, required } from './tables.ts'

// Frozen: never change what a shipped migration runs; add a new one instead (test/db/migration-sql.test.ts
// compares every statement with its snapshot).

export async function up(db: Kysely<any>): Promise<void> {
  // A lease names the one instance allowed to do a cluster-wide job (key rotation) until it expires.
  await createTable(db, 'leases', [
    primaryKey('name'),
    required('text', 'holder'),
    required('bigint', 'expires_at'),
  ])
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('leases').execute()
}
