import SQLite from 'better-sqlite3'
import bcrypt from 'bcryptjs'
import { writeFileSync } from 'node:fs'

// The import tests' own fixtures: the seed tutorial's database and JSON Lines files.

/** passlib's CryptContext(schemes=["bcrypt"]) default: the $2b$ ident at 12 rounds. */
export function passlibBcrypt(password: string): string {
  const hash = bcrypt.hashSync(password, bcrypt.genSaltSync(12))
  if (!hash.startsWith('$2b$12$')) throw new Error(`unexpected bcrypt format ${hash.slice(0, 7)}`)
  return hash
}

/** The old passwords of the fixture's users. */
export const OLD_PASSWORDS = { alice: 'alice-old-password', bob: 'bob-old-password' }

/**
 * Writes the seed's database as SQLAlchemy creates it from the tutorial's model
 * (`id = Column(Integer, primary_key=True, index=True)`, `username = Column(String)`,
 * `password = Column(String)`), with one good row of each kind and one bad row of each kind.
 */
export function writeSeedDatabase(path: string, options: { roleColumn?: boolean } = {}): void {
  const database = new SQLite(path)
  const role = options.roleColumn ? ', \n\trole VARCHAR' : ''
  database.exec(
    `CREATE TABLE users (\n\tid INTEGER NOT NULL, \n\tusername VARCHAR, \n\tpassword VARCHAR${role}, \n\tPRIMARY KEY (id)\n)`,
  )
  database.exec('CREATE INDEX ix_users_id ON users (id)')
  const alice = passlibBcrypt(OLD_PASSWORDS.alice)
  const rows: Array<[number, string | null, string | null, string | null]> = [
    [1, 'alice', alice, options.roleColumn ? 'admin' : null],
    [2, 'Bob', passlibBcrypt(OLD_PASSWORDS.bob), null],
    [3, 'carol', null, null],
    [4, 'dave', 'dave-stored-in-plain-text', null],
    [5, 'ALICE', alice, null],
    [6, null, alice, null],
    [7, 'erin', '$2b$12$truncated', null],
  ]
  if (options.roleColumn) rows.push([8, 'frank', alice, 'superuser'])
  const insert = options.roleColumn
    ? database.prepare('INSERT INTO users (id, username, password, role) VALUES (?, ?, ?, ?)')
    : database.prepare('INSERT INTO users (id, username, password) VALUES (?, ?, ?)')
  for (const [id, username, password, roleValue] of rows) {
    if (options.roleColumn) insert.run(id, username, password, roleValue)
    else insert.run(id, username, password)
  }
  database.close()
}

/** Writes a JSON Lines file from raw lines. */
export function writeLines(path: string, lines: string[]): void {
  writeFileSync(path, `${lines.join('\n')}\n`)
}
