import SQLite from 'better-sqlite3'
import { SqliteAdapter, SqliteDialect, type DialectAdapter, type SqliteDialectConfig } from 'kysely'
import { ensurePrivateFile } from '../file-permissions.ts'

// Kysely's SQLite adapter takes no migration lock: it assumes one process per file. Several processes
// started at once on one new file (issue 17) ran the same migration twice ("duplicate column name").
// The lock is an exclusive transaction on a small file beside the database, held while migrating; the
// database's own write lock cannot serve, because the migrations open transactions of their own.

// Long enough for another process to finish migrating a large database.
const MIGRATION_LOCK_WAIT_MS = 120_000

/** Kysely's SQLite adapter with a migration lock that holds across processes. */
class FileLockedSqliteAdapter extends SqliteAdapter {
  private lock: SQLite.Database | undefined

  constructor(private readonly lockPath: string) {
    super()
  }

  override async acquireMigrationLock(): Promise<void> {
    ensurePrivateFile(this.lockPath)
    const lock = new SQLite(this.lockPath)
    lock.pragma(`busy_timeout = ${MIGRATION_LOCK_WAIT_MS}`)
    lock.exec('BEGIN EXCLUSIVE')
    this.lock = lock
    return Promise.resolve()
  }

  override async releaseMigrationLock(): Promise<void> {
    const lock = this.lock
    this.lock = undefined
    if (lock?.inTransaction) lock.exec('COMMIT')
    lock?.close()
    return Promise.resolve()
  }
}

/** The SQLite dialect for a database file, migrating under a lock that other processes respect. */
export class FileLockedSqliteDialect extends SqliteDialect {
  constructor(
    config: SqliteDialectConfig,
    private readonly databasePath: string,
  ) {
    super(config)
  }

  override createAdapter(): DialectAdapter {
    return new FileLockedSqliteAdapter(`${this.databasePath}-migration-lock`)
  }
}
