import {
  Migrator,
  NO_MIGRATIONS,
  type Kysely,
  type KyselyPlugin,
  type Migration,
  type MigrationResultSet,
  type MigrationProvider,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MIGRATIONS } from '../../src/db/migrate.ts'
import type { Dialect, UsersTable } from '../../src/db/schema.ts'
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts'
import type { TestDb } from '../helpers/rows.ts'
import { skipWithout } from '../helpers/services.ts'

// "Frozen: never edit a migration that has shipped", as a test. Every statement each migration runs, up
// and down, on each engine, is compared with the committed snapshot in __snapshots__/, so a shared helper
// or a clean-up may reshape a migration's code but never what it does to a database. A new migration gets
// its snapshot on its first local run (CI refuses a missing one); commit the two together.
// Statements are recorded as Kysely compiles them; the transactions around them are not part of the record.

const BEFORE_CASEFOLD = '2026-11-26-004-leases'

// Accounts that exist before the two data migrations, whose statements depend on the rows: names whose
// folded key differs from the lower-cased one, and names with lookalike or invisible characters.
const EXISTING_USERS: Array<[id: string, username: string]> = [
  ['u1', 'Alice'],
  ['u2', 'Straße'],
  ['u3', 'Σας'],
  ['u4', 'ｒａｃｅ'],
  ['u5', 'İstanbul'],
  ['u6', 'ɾita'],
  ['u7', 'p\u0430ypal'],
  ['u8', 'bob\u200B'],
  ['u9', 'Kılıç'],
]

/** Records every statement compiled through it while a migration runs, as SQL with its parameters. */
class StatementRecorder implements KyselyPlugin {
  readonly statements = new Map<string, string[]>()
  #running: string[] | undefined

  constructor(private readonly db: TestDb) {}

  /** Runs one migration step, attributing what it compiles to `step`. */
  async during(step: string, run: () => Promise<void>): Promise<void> {
    const statements: string[] = []
    this.statements.set(step, statements)
    this.#running = statements
    try {
      await run()
    } finally {
      this.#running = undefined
    }
  }

  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    if (this.#running) {
      // Compiled as the executor compiles it next: this plugin is the last one and changes nothing.
      const { sql, parameters } = this.db.getExecutor().compileQuery(node, queryId)
      this.#running.push(parameters.length === 0 ? sql : `${sql} -- ${JSON.stringify(parameters)}`)
    }
    return node
  }

  async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return result
  }
}

/** MIGRATIONS, each step run under the recorder. */
function recordedMigrations(recorder: StatementRecorder): MigrationProvider {
  const recorded = Object.entries(MIGRATIONS).map(([name, migration]): [string, Migration] => {
    const down = migration.down?.bind(migration)
    return [
      name,
      {
        up: (db) => recorder.during(`${name} up`, () => migration.up(db)),
        down: down && ((db) => recorder.during(`${name} down`, () => down(db))),
      },
    ]
  })
  return { getMigrations: async () => Object.fromEntries(recorded) }
}

// Rows as the schema had them at migration 004, with the canonical key of that time (NFKC, lower case).
async function insertExistingUsers(db: TestDb): Promise<void> {
  const users = EXISTING_USERS.map(([id, username]) => ({
    id,
    username,
    username_canonical: username.normalize('NFKC').toLowerCase(),
    password_hash: 'x',
    role: 'user',
    created_at: 0,
    updated_at: 0,
  }))
  await (db as unknown as Kysely<{ users: Omit<UsersTable, 'username_skeleton'> }>)
    .insertInto('users')
    .values(users)
    .execute()
}

/** Runs every migration up, with the existing users in place before the data migrations, then all down. */
async function recordEveryMigration(db: TestDb): Promise<Map<string, string[]>> {
  const recorder = new StatementRecorder(db)
  const migrator = new Migrator({ db: db.withPlugin(recorder), provider: recordedMigrations(recorder) })
  succeeded(await migrator.migrateTo(BEFORE_CASEFOLD))
  await insertExistingUsers(db)
  succeeded(await migrator.migrateToLatest())
  succeeded(await migrator.migrateTo(NO_MIGRATIONS))
  return recorder.statements
}

function succeeded(result: MigrationResultSet): void {
  if (result.error !== undefined) throw new Error('a migration failed', { cause: result.error })
}

function describeMigrationSql(dialect: Dialect): void {
  let database: TestDatabase | undefined
  let statements = new Map<string, string[]>()
  beforeAll(async () => {
    database = await createTestDatabase(dialect)
    statements = await recordEveryMigration(database.handle.db)
  })
  afterAll(async () => {
    await database?.close()
  })

  it.each(Object.keys(MIGRATIONS))('%s runs the statements it shipped with', (name) => {
    expect({ up: statements.get(`${name} up`), down: statements.get(`${name} down`) }).toMatchSnapshot()
  })
}

describe('migration SQL on SQLite', () => describeMigrationSql('sqlite'))

describe.skipIf(skipWithout(['postgres'], 'migration-sql.test on PostgreSQL'))(
  'migration SQL on PostgreSQL',
  () => describeMigrationSql('postgres'),
)
