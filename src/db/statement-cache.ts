import type SQLite from 'better-sqlite3'
import type { SqliteDatabase, SqliteStatement } from 'kysely'

/** Distinct SQL texts kept prepared; the application issues well under a hundred. */
export const STATEMENT_CACHE_SIZE = 256

/**
 * better-sqlite3 behind a prepared-statement cache keyed by SQL text. Kysely's SQLite driver calls
 * `prepare` for every query, and preparing (parsing and planning in SQLite) was 7-8% of all CPU under
 * token-check load; a statement is reusable, and SQLite re-prepares it by itself after a schema change.
 * A statement still busy (an unfinished `iterate`, which Kysely uses only to stream) is never handed out
 * twice: that query gets a fresh one.
 */
export function cachingStatements(database: SQLite.Database, size = STATEMENT_CACHE_SIZE): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>()
  return {
    close: () => {
      statements.clear()
      database.close()
    },
    prepare: (sql: string): SqliteStatement => {
      const cached = statements.get(sql)
      if (cached && !cached.busy) return cached
      const statement = database.prepare(sql)
      if (!cached) {
        // Insertion order is age: past the bound, the oldest statement goes.
        if (statements.size >= size) statements.delete(statements.keys().next().value as string)
        statements.set(sql, statement)
      }
      return statement
    },
  }
}
