import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
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
import { ManualClock } from '../helpers/clock.ts'
import { testConfig } from '../helpers/config.ts'
import { connectPostgres, createTestDatabase, DIALECTS, TEST_DATABASE_URL } from '../helpers/databases.ts'
import { postgresUrlForSchema, runCli } from './cli.ts'

if (!TEST_DATABASE_URL) console.log('[copy.test] PostgreSQL part skipped: TEST_DATABASE_URL is not set')

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
      await database.handle.db.destroy()
      await database.drop()
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
  const folder = mkdtempSync(join(tmpdir(), 'gatehouse-copy-'))
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
      expect((await app.inject({ method: 'POST', url: '/register', payload: alice })).statusCode).toBe(201)
      const login = await app.inject({ method: 'POST', url: '/login', payload: alice })
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
  afterAll(() => rmSync(folder, { recursive: true, force: true }))

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

  describe.skipIf(!TEST_DATABASE_URL)('to PostgreSQL', () => {
    let app: FastifyInstance | undefined
    const schemas: string[] = []
    const freshSchema = async () => {
      const database = await createTestDatabase('postgres')
      await database.handle.db.destroy()
      schemas.push(database.schema!)
      return database
    }
    afterAll(async () => {
      await app?.close()
      for (const schema of schemas) await dropSchema(schema)
    })

    it('moves an instance: old password logs in, old access token still works', async () => {
      const { schema } = await freshSchema()
      const source = openSource()
      const target = connectPostgres(schema!)
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
      const profile = await app.inject({
        method: 'GET',
        url: '/profile',
        headers: { authorization: `Bearer ${accessToken}` },
      })
      expect(profile.statusCode).toBe(200)
      expect(profile.json()).toMatchObject({ username: 'alice' })
      expect((await app.inject({ method: 'POST', url: '/login', payload: alice })).statusCode).toBe(200)
    })

    it('`gatehouse db copy` migrates the target, copies, and refuses a non-empty target without --force', async () => {
      const { schema } = await freshSchema()
      const args = ['db', 'copy', '--from', `sqlite:${sourcePath}`, '--to', postgresUrlForSchema(schema!)]
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
      const target = connectPostgres(schema!)
      try {
        expect(await countAll(target)).toEqual(sourceCounts)
      } finally {
        await target.db.destroy()
      }
    })
  })
})

async function countAll(handle: DatabaseHandle): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (const table of copiedNames) {
    const row = await sql<{ count: number | string }>`select count(*) as count from ${sql.table(table)}`
      .execute(handle.db)
      .then((result) => result.rows[0]!)
    counts[table] = Number(row.count)
  }
  return counts
}

async function dropSchema(schema: string): Promise<void> {
  const admin = connectDatabase({ kind: 'postgres', url: TEST_DATABASE_URL! }, { poolMax: 1 })
  try {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin.db)
  } finally {
    await admin.db.destroy()
  }
}
