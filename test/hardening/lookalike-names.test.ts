import SQLite from 'better-sqlite3'
import bcrypt from 'bcryptjs'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { importUsers } from '../../src/services/import/importer.ts'
import { openFastapiSqlite } from '../../src/services/import/fastapi-sqlite.ts'
import { openJsonl } from '../../src/services/import/jsonl.ts'
import { normalizeNewUsername } from '../../src/services/usernames.ts'
import { callWithToken } from '../helpers/api.ts'
import { createTestApp, type TestApp } from '../helpers/app.ts'
import { TEST_SECRET } from '../helpers/config.ts'
import { DIALECTS } from '../helpers/databases.ts'

const PASSWORD = 'lookalike-password-42'
const ADMIN = { username: 'root-admin', password: 'admin password for tests 42' }

/** The twelve names of issue 16 that rendered as "root1" and registered as separate accounts. */
const LOOKALIKES: Array<[string, string]> = [
  ['U+034F combining grapheme joiner appended', 'root1\u034F'],
  ['U+FE0F variation selector 16 appended', 'root1\uFE0F'],
  ['U+FE00 variation selector 1 appended', 'root1\uFE00'],
  ['U+180B Mongolian free variation selector appended', 'root1\u180B'],
  ['U+E0100 variation selector 17 appended', 'root1\u{E0100}'],
  ['U+115F Hangul choseong filler appended', 'root1\u115F'],
  ['U+3164 Hangul filler appended', 'root1\u3164'],
  ['a combining acute accent appended', 'root1\u0301'],
  ['rооt1 with two Cyrillic о', 'r\u043E\u043Et1'],
  ['rоot1 with one Cyrillic о', 'r\u043Eot1'],
  ['rοot1 with a Greek ο', 'r\u03BFot1'],
  ['ɾoot1 with an r with fishhook', '\u027Eoot1'],
]

describe('username rules: PRECIS UsernameCaseMapped and UTS #39 skeletons', () => {
  const root = normalizeNewUsername('root1')

  it.each(LOOKALIKES)('finding 1: %s is refused or has the skeleton of root1', (_name, username) => {
    let outcome: string
    try {
      outcome = normalizeNewUsername(username).skeleton === root.skeleton ? 'collides' : 'distinct'
    } catch {
      outcome = 'refused'
    }
    expect(outcome).not.toBe('distinct')
  })

  it('keeps the names that were always fine, and their canonical and display forms', () => {
    expect(normalizeNewUsername('ｒａｃｅ')).toMatchObject({ display: 'race', canonical: 'race' })
    expect(normalizeNewUsername('STRAẞE')).toMatchObject({ display: 'STRAẞE', canonical: 'strasse' })
    for (const name of [
      'alice',
      'Alice.Smith_1@example+x-y',
      'jürgen',
      'ζωή',
      'o.brien-2',
      'שלום',
      'مرحبا1',
    ]) {
      expect(() => normalizeNewUsername(name)).not.toThrow()
    }
  })

  it('refuses what the IdentifierClass and the Bidi Rule refuse', () => {
    for (const name of [
      'a\u200Db', // zero-width joiner (CONTEXTJ)
      'ﬁnn', // a ligature: HasCompat
      'x\u2163', // a Roman numeral: HasCompat
      'a\u0378b', // unassigned
      'a\uFDD0', // a noncharacter
      '\u0301a', // a mark on nothing
      'e\u0301\u0301', // the same mark twice
      'abcשלום', // LTR then RTL (Bidi Rule 1 and 5)
      '1שלום', // RTL starting with a digit (Bidi Rule 1)
      '\u0661\u0662\u06F3', // Arabic-Indic and extended Arabic-Indic digits mixed (CONTEXTO)
    ]) {
      expect(() => normalizeNewUsername(name), JSON.stringify(name)).toThrow(/Username/)
    }
  })
})

describe.each(DIALECTS)('lookalike usernames over the API on %s', (dialect) => {
  let testApp: TestApp
  let adminToken: string
  beforeAll(async () => {
    testApp = await createTestApp({
      dialect,
      env: {
        GATEHOUSE_ADMIN_USERNAME: ADMIN.username,
        GATEHOUSE_ADMIN_PASSWORD: ADMIN.password,
        GATEHOUSE_REGISTER_PER_IP_PER_HOUR: '1000',
        GATEHOUSE_LOGIN_MAX_FAILURES: '1000',
      },
    })
    expect((await register('root1')).statusCode).toBe(201)
    adminToken = (await login(ADMIN.username, ADMIN.password)).json<{ access_token: string }>().access_token
  })
  afterAll(async () => {
    await testApp.close()
  })
  const register = (username: string) =>
    testApp.app.inject({ method: 'POST', url: '/register', payload: { username, password: PASSWORD } })
  const login = (username: string, password = PASSWORD) =>
    testApp.app.inject({ method: 'POST', url: '/login', payload: { username, password } })
  const userCount = async () =>
    (await testApp.app.services.db.selectFrom('users').select('id').execute()).length

  it.each(LOOKALIKES)(
    'finding 1: /register refuses %s while root1 exists (409 or 422)',
    async (_name, username) => {
      const before = await userCount()
      const response = await register(username)
      expect([409, 422]).toContain(response.statusCode)
      expect(await userCount()).toBe(before)
    },
  )

  it('finding 1: rооt1 (Cyrillic) answers 409 username_taken while root1 exists, and the other way round', async () => {
    const cyrillic = await register('r\u043E\u043Et1')
    expect(cyrillic.statusCode).toBe(409)
    expect(cyrillic.json()).toMatchObject({ code: 'username_taken' })
    expect((await register('r\u043E\u043Et2')).statusCode).toBe(201)
    expect((await register('root2')).statusCode).toBe(409)
  })

  it('finding 1: still logs in by the canonical name, in any case', async () => {
    expect((await login('root1')).statusCode).toBe(200)
    expect((await login('ROOT1')).statusCode).toBe(200)
    expect((await login('ｒｏｏｔ１')).statusCode).toBe(200)
    // A lookalike never signs in to the account it imitates.
    expect((await login('r\u043E\u043Et1')).statusCode).toBe(401)
  })

  it('finding 1: PUT /profile refuses a rename to a lookalike of another account, allows one of your own', async () => {
    expect((await register('renamer')).statusCode).toBe(201)
    const token = (await login('renamer')).json<{ access_token: string }>().access_token
    const rename = (username: string) =>
      testApp.app.inject({
        method: 'PUT',
        url: '/profile',
        headers: { authorization: `Bearer ${token}` },
        payload: { username, password: PASSWORD },
      })
    expect((await rename('r\u03BFot1')).statusCode).toBe(409)
    expect((await rename('root1\uFE0F')).statusCode).toBe(422)
    // Renaming to a lookalike of your own name is no impersonation of anyone.
    expect((await rename('renarner')).statusCode).toBe(200)
  })

  it('finding 1: admin create and admin rename refuse lookalikes', async () => {
    const admin = (method: 'POST' | 'PATCH', url: string, payload: object) =>
      callWithToken(testApp.app, adminToken, method, url, payload)
    const created = await admin('POST', '/admin/users', { username: '\u027Eoot1', password: PASSWORD })
    expect(created.statusCode).toBe(409)
    const other = await admin('POST', '/admin/users', { username: 'admin-made', password: PASSWORD })
    expect(other.statusCode).toBe(201)
    const patched = await admin('PATCH', `/admin/users/${other.json<{ id: string }>().id}`, {
      username: 'r\u043Eot1',
    })
    expect(patched.statusCode).toBe(409)
  })
})

describe.each(DIALECTS)('lookalike usernames in the importers on %s', (dialect) => {
  let testApp: TestApp | undefined
  const folder = mkdtempSync(join(tmpdir(), 'gatehouse-lookalike-import-'))
  afterEach(async () => {
    await testApp?.close()
    testApp = undefined
  })
  afterAll(() => rmSync(folder, { recursive: true, force: true }))

  it('finding 1: the JSON Lines importer skips lookalikes of existing and earlier names, and refuses invalid ones', async () => {
    testApp = await createTestApp({ dialect })
    const { app } = testApp
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/register',
          payload: { username: 'root1', password: PASSWORD },
        })
      ).statusCode,
    ).toBe(201)
    const hash = bcrypt.hashSync('imported-password-1', 4)
    const path = join(folder, `users-${dialect}.jsonl`)
    const lines = ['r\u043E\u043Et1', 'root1\uFE0F', 'paypal', 'p\u0430ypal', 'ROOT1'].map((username) =>
      JSON.stringify({ username, password_hash: hash }),
    )
    writeFileSync(path, `${lines.join('\n')}\n`)
    const summary = await importUsers(app.services, await openJsonl(path), {
      dryRun: false,
      onConflict: 'skip',
    })
    expect(summary.problems.map(({ ref, reason }) => `${ref} ${reason}`)).toEqual([
      'line 1 username_lookalike',
      'line 2 invalid_username',
      'line 4 username_lookalike',
      'line 5 username_exists',
    ])
    expect(summary.imported).toBe(1)
  })

  it('finding 1: the FastAPI SQLite importer skips lookalikes the same way', async () => {
    testApp = await createTestApp({ dialect })
    const path = join(folder, `seed-${dialect}.db`)
    const seed = new SQLite(path)
    seed.exec(
      'CREATE TABLE users (id INTEGER NOT NULL, username VARCHAR, password VARCHAR, PRIMARY KEY (id))',
    )
    const hash = bcrypt.hashSync('seed-password-1', 4)
    const insert = seed.prepare('INSERT INTO users (id, username, password) VALUES (?, ?, ?)')
    insert.run(1, 'admin', hash)
    insert.run(2, 'adrnin', hash)
    insert.run(3, '\u0430dmin', hash)
    seed.close()
    const source = openFastapiSqlite(path)
    const summary = await importUsers(testApp.app.services, source, { dryRun: false, onConflict: 'skip' })
    source.close()
    expect(summary.imported).toBe(1)
    expect(summary.problems.map(({ ref, reason }) => `${ref} ${reason}`)).toEqual([
      'id 2 username_lookalike',
      'id 3 username_lookalike',
    ])
  })
})

describe('lookalike usernames in the CLI', () => {
  // The sources through tsx (bin/gatehouse.js runs the compiled build, which may be stale in a test run).
  const BIN = fileURLToPath(new URL('../../bin/gatehouse-dev.js', import.meta.url))
  const folder = mkdtempSync(join(tmpdir(), 'gatehouse-lookalike-cli-'))
  afterAll(() => rmSync(folder, { recursive: true, force: true }))
  const run = (args: string[], stdin: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [BIN, ...args],
        {
          cwd: folder,
          timeout: 25_000,
          env: {
            PATH: process.env.PATH,
            HOME: folder,
            GATEHOUSE_DATABASE_URL: `sqlite:${join(folder, 'g.db')}`,
            GATEHOUSE_SECRET: TEST_SECRET,
            GATEHOUSE_ARGON2_MEMORY_KIB: '64',
            GATEHOUSE_ARGON2_ITERATIONS: '1',
            GATEHOUSE_LOG_LEVEL: 'silent',
          },
        },
        (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr })
        },
      )
      child.stdin?.end(stdin)
    })

  it('finding 1: users create refuses a lookalike before asking for a password', async () => {
    expect((await run(['users', 'create', 'root1', '--password-stdin'], `${PASSWORD}\n`)).code).toBe(0)
    const lookalike = await run(['users', 'create', 'r\u043E\u043Et1', '--password-stdin'], `${PASSWORD}\n`)
    expect(lookalike.code).not.toBe(0)
    expect(lookalike.stderr).toMatch(/looks like the existing user root1/)
    const invalid = await run(['users', 'create', 'root1\uFE0F', '--password-stdin'], `${PASSWORD}\n`)
    expect(invalid.code).not.toBe(0)
    // The header row and root1.
    expect((await run(['users', 'list'], '')).stdout.split('\n').filter(Boolean)).toHaveLength(2)
  }, 90_000)
})
