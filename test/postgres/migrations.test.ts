import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { connectDatabase } from '../../src/db/connect.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'
import { CLI_TEST_TIMEOUT_MS, runCli } from '../helpers/cli.ts'
import { postgresUrlForSchema, TEST_DATABASE_URL } from '../helpers/databases.ts'
import { defined } from '../helpers/defined.ts'
import { closedAfterEach } from '../helpers/hooks.ts'
import { skipWithout } from '../helpers/services.ts'

const INSTANCES = 5

describe.skipIf(skipWithout(['postgres'], 'migrations.test'))('migrations on PostgreSQL', () => {
  const fresh = closedAfterEach()
  const freshDatabase = () => fresh.database('postgres')

  it(`${INSTANCES} instances migrating one fresh schema at once apply each migration exactly once`, async () => {
    const { schema } = await freshDatabase()
    const instances = Array.from({ length: INSTANCES }, () =>
      connectDatabase(
        { kind: 'postgres', url: defined(TEST_DATABASE_URL, 'TEST_DATABASE_URL') },
        { searchPath: schema, poolMax: 2 },
      ),
    )
    try {
      const results = await Promise.all(instances.map(({ db }) => migrateToLatest(db)))
      const applied = results.flatMap((result) => result.results ?? []).filter((r) => r.status === 'Success')
      const names = applied.map((entry) => entry.migrationName)
      // Every migration ran once in total, whichever instance won the advisory lock.
      expect(new Set(names).size).toBe(names.length)
      expect(names).toContain('2026-11-26-001-core')
      const recorded = await sql<{ name: string }>`select name from kysely_migration`.execute(
        defined(instances[0]).db,
      )
      expect(recorded.rows.map((row) => row.name).sort()).toEqual([...names].sort())
    } finally {
      await Promise.all(instances.map(({ db }) => db.destroy()))
    }
  })

  // Regression: Kysely's introspector saw every schema's kysely_migration, so a fresh schema beside a
  // migrated one was taken as migrated and failed with 'relation "kysely_migration" does not exist'.
  it('migrates a fresh schema while another schema on the server is already migrated', async () => {
    const migrated = await freshDatabase()
    await migrateToLatest(migrated.handle.db)
    const fresh = await freshDatabase()
    await migrateToLatest(fresh.handle.db)
    const tables = await fresh.handle.db.introspection.getTables()
    expect(tables.map((table) => table.schema)).toEqual(tables.map(() => fresh.schema))
    expect(tables.map((table) => table.name)).toContain('users')
  })

  it(
    '`gatehouse migrate` applies the migrations, then reports the schema up to date',
    { timeout: CLI_TEST_TIMEOUT_MS },
    async () => {
      const { schema, handle } = await freshDatabase()
      const env = { GATEHOUSE_DATABASE_URL: postgresUrlForSchema(defined(schema)) }
      const first = await runCli(['migrate'], { env })
      expect(first.stderr).toBe('')
      expect(first.code).toBe(0)
      expect(first.stdout).toMatch(/^Applied 2026-11-26-001-core$/m)
      const tables = await handle.db.introspection.getTables()
      const ours = tables.filter((table) => table.schema === schema).map((table) => table.name)
      expect(ours).toEqual(expect.arrayContaining(['users', 'sessions', 'signing_keys']))
      const second = await runCli(['migrate'], { env })
      expect(second.code).toBe(0)
      expect(second.stdout).toBe('Database is up to date.\n')
    },
  )
})
