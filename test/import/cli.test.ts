import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { attemptLogin } from '../helpers/api.ts'
import { CLI_TEST_TIMEOUT_MS, runCli, sqliteCliEnv } from '../helpers/cli.ts'
import { testConfig } from '../helpers/config.ts'
import { defined } from '../helpers/defined.ts'
import { removeDirectory, temporaryDirectory } from '../helpers/files.ts'
import { writeLines, writeSeedDatabase } from './fixture.ts'

const directory = temporaryDirectory('import')
const databasePath = join(directory, 'gatehouse.db')

/** Runs the real `gatehouse` binary against a SQLite file, as an operator would. */
const gatehouse = (args: string[], stdin?: string) => runCli(args, { env: sqliteCliEnv(databasePath), stdin })

describe(
  'the gatehouse CLI: users create, import and audit export (SQLite file)',
  { timeout: CLI_TEST_TIMEOUT_MS },
  () => {
    beforeAll(() => {
      writeSeedDatabase(join(directory, 'test.db'))
    })
    afterAll(() => removeDirectory(directory))

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
      expect(defined(events[1]).details).toMatchObject({
        source: 'fastapi-sqlite',
        file: 'test.db',
        imported: 2,
      })
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
      // The real clock, as the CLI runs above had: the keys they made are valid from now on.
      const app = await buildApp(testConfig({ GATEHOUSE_DATABASE_URL: `sqlite:${databasePath}` }), {
        logger: false,
      })
      try {
        const login = (password: string) => attemptLogin(app, 'root', password)
        expect((await login('other-password-42')).statusCode).toBe(401)
        expect((await login('root-password-42')).statusCode).toBe(200)
      } finally {
        await app.close()
      }
    })
  },
)
