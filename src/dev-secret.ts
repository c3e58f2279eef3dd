import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { DatabaseTarget } from './config.ts'
import { ensurePrivateFolder, makeFilePrivate, openFileWarnings } from './file-permissions.ts'

/** Where the development secret lives: beside the SQLite file, or in ./data; none for memory. */
export function secretFile(database: DatabaseTarget): string | undefined {
  if (database.kind === 'sqlite' && database.path === ':memory:') return undefined
  return join(database.kind === 'sqlite' ? dirname(database.path) : './data', 'secret')
}

/** A warning when the generated secret file can be read by other users of the machine. */
export function developmentSecretWarnings(database: DatabaseTarget): string[] {
  const file = secretFile(database)
  return file === undefined ? [] : openFileWarnings([file])
}

/**
 * Returns the development secret kept beside the SQLite file, creating it (mode 0600) on first use.
 * Production refuses to start without GATEHOUSE_SECRET, so this file never protects a real deployment.
 */
export function loadDevelopmentSecret(database: DatabaseTarget): string {
  // An in-memory database loses its keys at exit anyway, so a throwaway secret is enough.
  const file = secretFile(database)
  if (file === undefined) return randomBytes(32).toString('base64url')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  ensurePrivateFolder(dirname(file))
  const secret = randomBytes(32).toString('base64url')
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' })
  } catch (error) {
    // Another process created it between our check and our write: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim()
    throw error
  }
  makeFilePrivate(file)
  return secret
}
