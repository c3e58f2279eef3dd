import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { TEST_SECRET, testConfig } from '../helpers/config.ts'
import { temporaryDirectory, writeLines, writeSeedDatabase } from './fixture.ts'

const ROOT = join(import.meta.dirname, '..', '..')
const directory = temporaryDirectory()
const databasePath = join(directory, 'gatehouse.db')

interface Result {
  code: number
  stdout: string
  stderr: string
}

/** Runs the real `gatehouse` binary against a SQLite file, as an operator would. */
async function gatehouse(args: string[], stdin?: string): Promise<Result> {
  const child = execFile(process.execPath, [join(ROOT, 'bin/gatehouse.js'), ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      GATEHOUSE_DATABASE_URL: `sqlite:${databasePath}`,
      GATEHOUSE_ARGON2_MEMORY_KIB: '64',
      GATEHOUSE_ARGON2_ITERATIONS: '1',
      GATEHOUSE_SECRET: TEST_SECRET,
      GATEHOUSE_LOG_LEVEL: 'silent',
    },
  })
  child.stdin?.end(stdin ?? '')
  return new Promise((resolve) => {
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

describe('the gatehouse CLI: users create, import and audit export (SQLite file)', () => {
  beforeAll(() => {
    writeSeedDatabase(join(directory, 'test.db'))
  })
  afterAll(() => {})

  it('users create --role admin is idempotent and never overwrites the password', async () => {
    const first = await gatehouse(
      ['users', 'create', 'root', '--role', 'admin', '--password-stdin'],
      'root-password-42\n',
    )
    expect(first, first.stderr).toMatchObject({ code: 0 })
    expect(first.stdout).toContain('Created admin root')
    const again = await gatehouse(
      ['users', 'create', 'ROOT', '--role', 'user', '--password-stdin'],
      'other-password-42\n',
    )
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('exists; left unchanged')
    const unknownRole = await gatehouse(
      ['users', 'create', 'eve', '--role', 'god', '--password-stdin'],
      'eve-password-42\n',
    )
    expect(unknownRole.code).toBe(1)
    expect(unknownRole.stderr).toContain('Unknown role')
  })

  it('imports the seed database: dry run, then for real, reporting bad rows without their hashes', async () => {
    const seed = join(directory, 'test.db')
    const dry = await gatehouse(['import', 'fastapi-sqlite', seed, '--dry-run'])
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.stdout).toContain('Dry run, nothing written: would import 2, skipped 1, invalid 4')
    const real = await gatehouse(['import', 'fastapi-sqlite', seed])
    expect(real.stdout).toContain('Imported 2, skipped 1, invalid 4')
    expect(real.stderr).toContain('id 4 ("dave"): invalid: unrecognized_hash')
    expect(real.stderr).not.toMatch(/\$2b\$|plain-text/)
    const conflict = await gatehouse(['import', 'fastapi-sqlite', seed, '--on-conflict', 'fail'])
    expect(conflict.code).toBe(1)
    expect(conflict.stderr).toContain('nothing was imported')

    const jsonl = join(directory, 'more.jsonl')
    writeLines(jsonl, ['{"username": "zed", "password_hash": "nope"}', 'not json'])
    const lines = await gatehouse(['import', 'jsonl', jsonl])
    expect(lines.stdout).toContain('Imported 0, skipped 0, invalid 2')
    expect(lines.stderr).toContain('line 2: invalid: invalid_json')
  })

  it('audit export streams JSON lines, oldest first, filtered by time and action', async () => {
    const exported = await gatehouse(['audit', 'export', '--since', '1d'])
    expect(exported.code, exported.stderr).toBe(0)
    const events = exported.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { action: string; at: string; details: Record<string, unknown> })
      // The signing key made at the first start is audited too; this test is about users.
      .filter((event) => event.action !== 'key.rotate')
    expect(events.map((event) => event.action)).toEqual(['user.create_cli', 'users.import', 'users.import'])
    expect(events[1]!.details).toMatchObject({ source: 'fastapi-sqlite', file: 'test.db', imported: 2 })
    const filtered = await gatehouse([
      'audit',
      'export',
      '--since',
      '2000-01-01',
      '--action',
      'user.create_cli',
    ])
    expect(filtered.stdout.trim().split('\n')).toHaveLength(1)
    expect((await gatehouse(['audit', 'export', '--since', 'last tuesday'])).code).not.toBe(0)
    const future = await gatehouse(['audit', 'export', '--since', '2999-01-01T00:00:00Z'])
    expect(future.stdout).toBe('')
  })

  it('the first password set is the one that works', async () => {
    const app = await buildApp(testConfig({ GATEHOUSE_DATABASE_URL: `sqlite:${databasePath}` }), {
      logger: false,
    })
    try {
      const login = (password: string) =>
        app.inject({ method: 'POST', url: '/login', payload: { username: 'root', password } })
      expect((await login('other-password-42')).statusCode).toBe(401)
      expect((await login('root-password-42')).statusCode).toBe(200)
    } finally {
      await app.close()
    }
  })
})
