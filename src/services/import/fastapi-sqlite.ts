import SQLite from 'better-sqlite3'
import { basename } from 'node:path'
import type { ImportSource, SourceRow } from './rows.ts'

interface SeedRow {
  id: unknown
  username: unknown
  password: unknown
  role?: unknown
}

/**
 * Opens the FastAPI tutorial's SQLite file read-only. Its SQLAlchemy model is
 * `users(id INTEGER PRIMARY KEY, username VARCHAR, password VARCHAR)`; a `role` column, which some
 * forks added for the admin route, is used when present.
 */
export function openFastapiSqlite(path: string): ImportSource {
  const database = new SQLite(path, { readonly: true, fileMustExist: true })
  try {
    const columns = new Set(
      (database.pragma('table_info(users)') as Array<{ name: string }>).map((column) =>
        column.name.toLowerCase(),
      ),
    )
    const missing = ['id', 'username', 'password'].filter((name) => !columns.has(name))
    if (missing.length > 0) {
      throw new Error(
        `${path}: no users table with id, username and password (missing: ${missing.join(', ')})`,
      )
    }
    const roleColumn = columns.has('role') ? ', role' : ''
    const total = (database.prepare('select count(*) as count from users').get() as { count: number }).count
    const statement = database.prepare(`select id, username, password${roleColumn} from users order by id`)
    return {
      kind: 'fastapi-sqlite',
      name: basename(path),
      total,
      // iterate() reads row by row, so a large file is never loaded whole.
      rows: function* (): Iterable<SourceRow> {
        for (const row of statement.iterate() as Iterable<SeedRow>) {
          yield {
            ref: `id ${String(row.id)}`,
            username: row.username,
            passwordHash: row.password,
            role: row.role,
          }
        }
      },
      close: () => database.close(),
    }
  } catch (error) {
    database.close()
    throw error
  }
}
