import { Migrator } from 'kysely'
import pg from 'pg'
import { randomBytes } from 'node:crypto'
import { connectDatabase, type DatabaseHandle } from '../../src/db/connect.ts'
import { MIGRATIONS } from '../../src/db/migrate.ts'
import type { Dialect } from '../../src/db/schema.ts'

/** The PostgreSQL server tests may use; unset means PostgreSQL suites are skipped (except in CI). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL

/** Every engine the suite runs on here: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const DIALECTS: Dialect[] = TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite']

/** A database for one test app, and how to throw it away. */
export interface TestDatabase {
  handle: DatabaseHandle
  /** A URL another process (or a second app instance) can use to reach the same data. */
  url: string
  /** The PostgreSQL schema, when there is one. */
  schema: string | undefined
  /** Drops the data (the PostgreSQL schema); the handle stays open. */
  drop(): Promise<void>
  /** Closes the handle, then drops the data: for a database a test opened without an app. */
  close(): Promise<void>
}

/** Opens a fresh database: in-memory SQLite, or a new schema of its own on the test PostgreSQL server. */
export async function createTestDatabase(
  dialect: Dialect,
  options: { statementTimeoutMs?: number } = {},
): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const handle = connectDatabase({ kind: 'sqlite', path: ':memory:' })
    return withClose({ handle, url: 'sqlite::memory:', schema: undefined, drop: async () => {} })
  }
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set')
  const schema = `gh_test_${randomBytes(6).toString('hex')}`
  await adminQuery(`create schema ${schema}`)
  const handle = connectPostgres(schema, options.statementTimeoutMs)
  return withClose({
    handle,
    url: TEST_DATABASE_URL,
    schema,
    drop: async () => {
      await adminQuery(`drop schema if exists ${schema} cascade`)
    },
  })
}

/** Adds `close()` (destroy the handle, then drop) to a database. */
export function withClose(database: Omit<TestDatabase, 'close'>): TestDatabase {
  return {
    ...database,
    close: async () => {
      await database.handle.db.destroy()
      await database.drop()
    },
  }
}

/** A second connection to the same PostgreSQL schema, as another Gatehouse instance would have. */
export function connectPostgres(schema: string, statementTimeoutMs = 5000): DatabaseHandle {
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set')
  return connectDatabase(
    { kind: 'postgres', url: TEST_DATABASE_URL },
    { poolMax: 10, statementTimeoutMs, searchPath: schema },
  )
}

/** TEST_DATABASE_URL narrowed to one schema, with libpq's `options` parameter, as a user could write it. */
export function postgresUrlForSchema(schema: string): string {
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set')
  const separator = TEST_DATABASE_URL.includes('?') ? '&' : '?'
  return `${TEST_DATABASE_URL}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

/** A Migrator over the project's migrations, to stop a test database at an older schema and go on later. */
export function migratorFor(db: DatabaseHandle['db']): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } })
}
