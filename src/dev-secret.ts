import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { DatabaseTarget } from './config.ts'

/**
 * Returns the development secret kept beside the SQLite file, creating it (mode 0600) on first use.
 * Production refuses to start without GATEHOUSE_SECRET, so this file never protects a real deployment.
 */
export function loadDevelopmentSecret(database: DatabaseTarget): string {
  // An in-memory database loses its keys at exit anyway, so a throwaway secret is enough.
  if (database.kind === 'sqlite' && database.path === ':memory:') return randomBytes(32).toString('base64url')
  const folder = database.kind === 'sqlite' ? dirname(database.path) : './data'
  const file = join(folder, 'secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(folder, { recursive: true, mode: 0o700 })
  const secret = randomBytes(32).toString('base64url')
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' })
  } catch (error) {
    // Another process created it between our check and our write: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim()
    throw error
  }
  chmodSync(file, 0o600)
  return secret
}
