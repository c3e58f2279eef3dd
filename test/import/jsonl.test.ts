import bcrypt from 'bcryptjs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { findUserByCanonicalName } from '../../src/db/users.ts'
import { importUsers } from '../../src/services/import/importer.ts'
import { openJsonl } from '../../src/services/import/jsonl.ts'
import { attemptLogin } from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { temporaryDirectory } from '../helpers/files.ts'
import { writeLines } from './fixture.ts'

const directory = temporaryDirectory('import')

describe.each(DIALECTS)('gatehouse import jsonl on %s', (dialect) => {
  const testApp = useTestApp(() => createTestApp({ dialect, env: { GATEHOUSE_ROLES: 'auditor' } }), 'test')

  it('imports bcrypt and argon2 PHC hashes and reports each bad line with its reason', async () => {
    const { app } = testApp
    const argon2 = await app.services.passwords.hash('argon-password-42')
    const bcryptHash = bcrypt.hashSync('bcrypt-password-42', 4)
    const path = join(directory, `users-${dialect}.jsonl`)
    const row = (value: unknown) => JSON.stringify(value)
    writeLines(path, [
      row({ username: 'argon', password_hash: argon2 }),
      row({ username: 'crypt', password_hash: bcryptHash, role: 'auditor' }),
      '',
      '{"username": "broken", ',
      row({ username: 'plain', password: 'secret-in-clear' }),
      row({ username: 'nohash' }),
      row({ username: 'cut', password_hash: argon2.slice(0, 30) }),
      row({ username: 'md5', password_hash: '5f4dcc3b5aa765d61d8327deb882cf99' }),
      row({ username: 'boss', password_hash: bcryptHash, role: 'root' }),
      row(['username', 'x']),
      row({ username: 'ARGON', password_hash: bcryptHash }),
      row({ username: 'bad name!', password_hash: bcryptHash }),
    ])
    const source = await openJsonl(path)
    expect(source.total).toBe(11)
    const summary = await importUsers(app.services, source, { dryRun: false, onConflict: 'skip' })
    expect(summary).toMatchObject({ imported: 2, skipped: 1, invalid: 8 })
    expect(summary.problems.map(({ ref, reason }) => `${ref} ${reason}`)).toEqual([
      'line 4 invalid_json',
      'line 5 unknown_field',
      'line 6 missing_hash',
      'line 7 unrecognized_hash',
      'line 8 unrecognized_hash',
      'line 9 unknown_role',
      'line 10 invalid_json',
      'line 11 username_exists',
      'line 12 invalid_username',
    ])
    expect((await findUserByCanonicalName(app.services.db, 'crypt'))?.role).toBe('auditor')
    for (const [username, password] of [
      ['argon', 'argon-password-42'],
      ['crypt', 'bcrypt-password-42'],
    ] as const) {
      const login = await attemptLogin(app, username, password)
      expect(login.statusCode, username).toBe(200)
    }
  })
})
