import SQLite from 'better-sqlite3'

// The one write the token check makes, in the SQL Kysely would generate for touchSession.
const TOUCH_SESSION_SQL = 'update "sessions" set "last_used_at" = ? where "id" = ? and "last_used_at" < ?'

/**
 * A second connection to the SQLite file, for the token check's one write: `last_used_at`, once a minute
 * per session. The main connection commits with synchronous=FULL, and that fsync runs on the event loop
 * (6 ms typical, over 100 ms at worst on the development machine): one per session per minute stalled
 * every request in flight, which is the p99 stall issue 14 describes. `last_used_at` is bookkeeping, not
 * security, so it is written here with synchronous=NORMAL (no fsync; the next FULL commit or checkpoint
 * makes it durable). busy_timeout 0: while another connection holds the write lock the touch is skipped
 * and retried by the session's next request, so it can never wait on a transaction the event loop owns.
 */
export class SqliteBookkeeping {
  private readonly database: SQLite.Database
  private readonly touch: SQLite.Statement

  constructor(path: string) {
    this.database = new SQLite(path, { fileMustExist: true })
    this.database.pragma('busy_timeout = 0')
    this.database.pragma('synchronous = NORMAL')
    this.touch = this.database.prepare(TOUCH_SESSION_SQL)
  }

  /** Moves last_used_at forward if older than `staleBefore`; false when the database was busy. */
  touchSession(sessionId: string, now: number, staleBefore: number): boolean {
    try {
      this.touch.run(now, sessionId, staleBefore)
      return true
    } catch (error) {
      if ((error as { code?: unknown }).code === 'SQLITE_BUSY') return false
      throw error
    }
  }

  close(): void {
    this.database.close()
  }
}

// One per database handle (keyed by its Kysely instance), opened on first use and closed with the process.
const connections = new WeakMap<object, SqliteBookkeeping>()

/** The bookkeeping connection for the SQLite file behind `db`, opened on first use. */
export function bookkeepingConnection(db: object, path: string): SqliteBookkeeping {
  let connection = connections.get(db)
  if (!connection) {
    connection = new SqliteBookkeeping(path)
    connections.set(db, connection)
  }
  return connection
}
