import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { connectDatabase, type DatabaseHandle } from '../../src/db/connect.ts'
import {
  COPY_TABLES,
  copyDatabase,
  CopySchemaMismatchError,
  CopyTargetNotEmptyError,
  type CopyProgress,
} from '../../src/db/copy.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'
import { attemptLogin, attemptRegister, getWithToken } from '../helpers/api.ts'
import { CLI_TEST_TIMEOUT_MS, runCli } from '../helpers/cli.ts'
import { ManualClock } from '../helpers/clock.ts'
import { testConfig } from '../helpers/config.ts'
import {
  connectPostgres,
  createTestDatabase,
  DIALECTS,
  postgresUrlForSchema,
  type TestDatabase,
} from '../helpers/databases.ts'
import { defined } from '../helpers/defined.ts'
import { removeDirectory, temporaryDirectory } from '../helpers/files.ts'
import { skipWithout } from '../helpers/services.ts'

const alice = { username: 'alice', password: 'correct horse battery' }
const copiedNames = COPY_TABLES.map(({ table }) => table)

describe.each(DIALECTS)('COPY_TABLES on %s', (dialect) => {
  it('names every table the migrations create, parents before children', async () => {
    const database = await createTestDatabase(dialect)
    try {
      await migrateToLatest(database.handle.db)
      const tables = (await database.handle.db.introspection.getTables())
        .filter((table) => dialect === 'sqlite' || table.schema === database.schema)
        .map((table) => table.name)
        .filter((name) => !name.startsWith('kysely_migration'))
      expect([...copiedNames].sort()).toEqual(tables.sort())
      for (const [position, table] of copiedNames.entries()) {
        for (const parent of await referencedTables(database.handle, table, database.schema)) {
          expect(copiedNames.indexOf(parent as never), `${table} → ${parent}`).toBeLessThan(position)
        }
      }
    } finally {
      await database.close()
    }
  })
})

async function referencedTables(handle: DatabaseHandle, table: string, schema?: string): Promise<string[]> {
  if (handle.dialect === 'sqlite') {
    const rows = await sql<{ table: string }>`select * from pragma_foreign_key_list(${table})`.execute(
      handle.db,
    )
    return rows.rows.map((row) => row.table)
  }
  const rows = await sql<{ parent: string }>`
    select distinct ccu.table_name as parent
    from information_schema.table_constraints tc
    join information_schema.constraint_column_usage ccu using (constraint_schema, constraint_name)
    where tc.constraint_type = 'FOREIGN KEY' and tc.table_schema = ${schema} and tc.table_name = ${table}`.execute(
    handle.db,
  )
  return rows.rows.map((row) => row.parent)
}

describe('db copy', () => {
  const folder = temporaryDirectory('copy')
  const sourcePath = join(folder, 'g.db')
  const clock = new ManualClock()
  let accessToken: string
  let sourceCounts: Record<string, number>

  beforeAll(async () => {
    // A real SQLite file instance, as an operator would have before moving.
    const app = await buildApp(testConfig({ GATEHOUSE_DATABASE_URL: `sqlite:${sourcePath}` }), {
      clock,
      logger: false,
    })
    try {
      expect((await attemptRegister(app, alice.username, alice.password)).statusCode).toBe(201)
      const login = await attemptLogin(app, alice.username, alice.password)
      expect(login.statusCode).toBe(200)
      accessToken = login.json<{ access_token: string }>().access_token
    } finally {
      await app.close()
    }
    const source = openSource()
    sourceCounts = await countAll(source)
    await source.db.destroy()
    expect(sourceCounts).toMatchObject({ users: 1, sessions: 1 })
    expect(sourceCounts.signing_keys).toBeGreaterThan(0)
  })
  afterAll(() => removeDirectory(folder))

  const openSource = () => connectDatabase({ kind: 'sqlite', path: sourcePath })

  it('copies SQLite to SQLite in batches, refuses an unmigrated or non-empty target', async () => {
    const source = openSource()
    const target = connectDatabase({ kind: 'sqlite', path: ':memory:' })
    try {
      await expect(copyDatabase(source, target)).rejects.toBeInstanceOf(CopySchemaMismatchError)
      await migrateToLatest(target.db)
      const progress: CopyProgress[] = []
      const report = await copyDatabase(source, target, { batchSize: 1, onProgress: (p) => progress.push(p) })
      expect(Object.fromEntries(report.tables.map(({ table, rows }) => [table, rows]))).toEqual(sourceCounts)
      expect(await countAll(target)).toEqual(sourceCounts)
      // With one row per batch, every row is a progress step after the table's opening 0.
      expect(progress.filter((p) => p.table === 'users').map((p) => p.copied)).toEqual([0, 1])
      const error = await copyDatabase(source, target).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(CopyTargetNotEmptyError)
      expect((error as CopyTargetNotEmptyError).rowCounts.users).toBe(1)
      await copyDatabase(source, target, { force: true })
      expect(await countAll(target)).toEqual(sourceCounts)
    } finally {
      await Promise.all([source.db.destroy(), target.db.destroy()])
    }
  })

  describe.skipIf(skipWithout(['postgres'], 'the PostgreSQL part of copy.test'))('to PostgreSQL', () => {
    let app: FastifyInstance | undefined
    const databases: TestDatabase[] = []
    const freshSchema = async () => {
      const database = await createTestDatabase('postgres')
      await database.handle.db.destroy()
      databases.push(database)
      return database
    }
    afterAll(async () => {
      await app?.close()
      for (const database of databases) await database.drop()
    })

    it('moves an instance: old password logs in, old access token still works', async () => {
      const { schema } = await freshSchema()
      const source = openSource()
      const target = connectPostgres(defined(schema))
      try {
        await migrateToLatest(target.db)
        const started = performance.now()
        await copyDatabase(source, target, { batchSize: 1 })
        console.log(`[copy.test] function copy: ${Math.round(performance.now() - started)} ms`)
        expect(await countAll(target)).toEqual(sourceCounts)
        await expect(copyDatabase(source, target)).rejects.toBeInstanceOf(CopyTargetNotEmptyError)
      } finally {
        await source.db.destroy()
      }
      // Same GATEHOUSE_SECRET (testConfig's), so the sealed signing keys open on the new engine.
      app = await buildApp(testConfig(), { clock, database: target, logger: false })
      const profile = await getWithToken(app, '/profile', accessToken)
      expect(profile.statusCode).toBe(200)
      expect(profile.json()).toMatchObject({ username: 'alice' })
      expect((await attemptLogin(app, alice.username, alice.password)).statusCode).toBe(200)
    })

    it(
      '`gatehouse db copy` migrates the target, copies, and refuses a non-empty target without --force',
      { timeout: CLI_TEST_TIMEOUT_MS },
      async () => {
        const { schema } = await freshSchema()
        const args = [
          'db',
          'copy',
          '--from',
          `sqlite:${sourcePath}`,
          '--to',
          postgresUrlForSchema(defined(schema)),
        ]
        const first = await runCli([...args, '--batch-size', '2'])
        expect(first.stderr).toBe('')
        expect(first.code).toBe(0)
        // Not a terminal here: plain progress lines, then the verified counts.
        expect(first.stdout).toMatch(/^users: 1\/1$/m)
        expect(first.stdout).toMatch(/^Copied and verified row counts: users 1, sessions 1,/m)
        const refused = await runCli(args)
        expect(refused.code).toBe(1)
        expect(refused.stderr).toMatch(/not empty.*--force/)
        const forced = await runCli([...args, '--force'])
        expect(forced.code).toBe(0)
        const target = connectPostgres(defined(schema))
        try {
          expect(await countAll(target)).toEqual(sourceCounts)
        } finally {
          await target.db.destroy()
        }
      },
    )
  })
})

async function countAll(handle: DatabaseHandle): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (const table of copiedNames) {
    const row = await sql<{ count: number | string }>`select count(*) as count from ${sql.table(table)}`
      .execute(handle.db)
      .then((result) => defined(result.rows[0]))
    counts[table] = Number(row.count)
  }
  return counts
}
