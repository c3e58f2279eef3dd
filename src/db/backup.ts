import SQLite from 'better-sqlite3'
import { existsSync, rmSync } from 'node:fs'
import { ensurePrivateFile } from '../file-permissions.ts'

/** What a finished backup holds. */
export interface BackupReport {
  pages: number
  bytes: number
}

/**
 * Copies a live SQLite database to `target` with SQLite's online backup API (through better-sqlite3):
 * consistent even while the server keeps writing (the copy restarts when a write lands mid-way), and
 * including whatever still sits in the write-ahead log. The target is created 0600 first (it holds
 * password hashes and sealed signing keys) and checked with `PRAGMA integrity_check` at the end.
 */
export async function backupSqliteDatabase(source: string, target: string): Promise<BackupReport> {
  if (!existsSync(source)) throw new Error(`no such database file ${source}`)
  if (existsSync(target)) throw new Error(`${target} exists; choose a new file name`)
  // Not read-only: a read-only connection cannot open a WAL database whose -shm file is gone.
  const database = new SQLite(source, { fileMustExist: true })
  try {
    ensurePrivateFile(target)
    const result = await database.backup(target)
    const copy = new SQLite(target, { readonly: true })
    try {
      const check = copy.pragma('integrity_check', { simple: true })
      if (check !== 'ok') throw new Error(`the backup failed its integrity check: ${String(check)}`)
      const pageSize = Number(copy.pragma('page_size', { simple: true }))
      return { pages: result.totalPages, bytes: result.totalPages * pageSize }
    } finally {
      copy.close()
    }
  } catch (error) {
    rmSync(target, { force: true })
    throw error
  } finally {
    database.close()
  }
}
