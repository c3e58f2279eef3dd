import type { Kysely } from 'kysely'

// Frozen: never change what a shipped migration runs; add a new one instead (test/db/migration-sql.test.ts
// compares every statement with its snapshot).

export async function up(db: Kysely<any>): Promise<void> {
  // Throttle counters kept in the application database (rate-limiter-flexible's layout: key, points,
  // expire in epoch ms). Created here rather than by the library at run time, so the schema has one owner.
  await db.schema
    .createTable('throttle_counters')
    .ifNotExists()
    .addColumn('key', 'varchar(255)', (column) => column.primaryKey())
    .addColumn('points', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('expire', 'bigint')
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('throttle_counters').execute()
}
