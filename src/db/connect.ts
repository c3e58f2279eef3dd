import SQLite from 'better-sqlite3'
import {
  Kysely,
  PostgresDialect,
  SqliteDialect,
  sql,
  DEFAULT_MIGRATION_LOCK_TABLE,
  DEFAULT_MIGRATION_TABLE,
  type ColumnMetadata,
  type DatabaseIntrospector,
  type DatabaseMetadataOptions,
  type TableMetadata,
} from 'kysely'
import pg from 'pg'
import { dirname } from 'node:path'
import type { DatabaseTarget } from '../config.ts'
import { ensurePrivateFile, ensurePrivateFolder, openFileWarnings } from '../file-permissions.ts'
import { FileLockedSqliteDialect } from './sqlite-migration-lock.ts'
import type { Database, Dialect } from './schema.ts'
import { cachingStatements } from './statement-cache.ts'

/** A connected database and the engine behind it. */
export interface DatabaseHandle {
  readonly db: Kysely<Database>
  readonly dialect: Dialect
  /** The PostgreSQL pool, for the pool-use metrics; absent for SQLite. */
  readonly pool?: PoolUse
}

/** What the metrics read from a connection pool. */
export interface PoolUse {
  readonly totalCount: number
  readonly idleCount: number
  readonly waitingCount: number
}

/** Options that only matter for PostgreSQL. */
export interface PostgresOptions {
  poolMax?: number
  statementTimeoutMs?: number
  /** Tests give each file its own schema so they can run in parallel on one database. */
  searchPath?: string
  onPoolError?: (error: Error) => void
}

const INT8_OID = 20

/** Opens the configured database: better-sqlite3 (WAL, durable commits) or a pg pool. */
export function connectDatabase(target: DatabaseTarget, options: PostgresOptions = {}): DatabaseHandle {
  if (target.kind === 'sqlite')
    return { db: new Kysely<Database>({ dialect: sqliteDialect(target.path) }), dialect: 'sqlite' }
  const pool = postgresPool(target.url, options)
  const dialect = new SearchPathPostgresDialect({ pool })
  return { db: new Kysely<Database>({ dialect }), dialect: 'postgres', pool }
}

/** The files of a SQLite database: the database itself and its write-ahead log and shared memory. */
function sqliteFiles(path: string): string[] {
  return [path, `${path}-wal`, `${path}-shm`]
}

/** Warnings for database files that other users of the machine can read; empty for PostgreSQL. */
export function databaseFileWarnings(target: DatabaseTarget): string[] {
  if (target.kind !== 'sqlite' || target.path === ':memory:') return []
  return openFileWarnings(sqliteFiles(target.path))
}

function sqliteDialect(path: string): SqliteDialect {
  if (path !== ':memory:') {
    // The folder is 0700 and the database file 0600 whatever the umask. SQLite gives the -wal and -shm
    // files it creates later the database file's own mode, so they are 0600 too.
    ensurePrivateFolder(dirname(path))
    ensurePrivateFile(path)
  }
  const database = new SQLite(path)
  database.pragma('journal_mode = WAL')
  // FULL: a commit the API acknowledged survives power loss, not only a process crash.
  database.pragma('synchronous = FULL')
  database.pragma('busy_timeout = 5000')
  database.pragma('foreign_keys = ON')
  // A file may be shared by several processes; memory is never shared.
  return path === ':memory:'
    ? new SqliteDialect({ database: cachingStatements(database) })
    : new FileLockedSqliteDialect({ database: cachingStatements(database) }, path)
}

function postgresPool(url: string, options: PostgresOptions): pg.Pool {
  const statementTimeoutMs = options.statementTimeoutMs ?? 5000
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolMax ?? 10,
    statement_timeout: statementTimeoutMs,
    // Bound every wait, so an unreachable server turns into a 503 instead of a hung request.
    connectionTimeoutMillis: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 1000,
    idleTimeoutMillis: 30_000,
    // An idle connection the server forgot (restart behind a partition) is found by a probe, not by
    // the next request timing out on it.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
    types: {
      // Epoch-millisecond bigint columns fit in a double; parse them as numbers, not strings.
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID
          ? (value: string) => Number(value)
          : (pg.types.getTypeParser(oid, format) as (
              value: string,
            ) => unknown)) as typeof pg.types.getTypeParser,
    },
  })
  // Without a listener, an idle client dropped by a restarting server would crash the process.
  pool.on('error', (error) => options.onPoolError?.(error))
  pool.on('connect', (client) => {
    // pg-pool listens for errors only on idle clients; a connection lost while a client is checked out
    // (mid-query, mid-transaction) would otherwise emit an unhandled 'error' and crash the process.
    client.on('error', (error) => options.onPoolError?.(error))
    dropConnectionOnReadTimeout(client)
  })
  return pool
}

/**
 * Kysely's PostgreSQL introspector lists the tables of every schema. Its Migrator asks it whether
 * `kysely_migration` exists, so a fresh schema on a server where any other schema holds that table
 * (an older install in `public`, a parallel test) was taken as migrated and then failed with
 * "relation kysely_migration does not exist"; and a schema dropped by someone else during the listing
 * failed the query. Introspection here asks only about the schema we write to.
 */
class SearchPathPostgresDialect extends PostgresDialect {
  override createIntrospector(
    db: Parameters<PostgresDialect['createIntrospector']>[0],
  ): DatabaseIntrospector {
    const everySchema = super.createIntrospector(db)
    const getTables = async (options?: DatabaseMetadataOptions): Promise<TableMetadata[]> => {
      const { rows } = await sql<{
        schema: string
        table_name: string
        table_type: string
        column_name: string
        data_type: string
        is_nullable: string
        column_default: string | null
      }>`
        select t.table_schema as schema, t.table_name, t.table_type, c.column_name, c.data_type, c.is_nullable,
               c.column_default
        from information_schema.tables t
        join information_schema.columns c on c.table_schema = t.table_schema and c.table_name = t.table_name
        where t.table_schema = current_schema()
        order by t.table_name, c.ordinal_position`.execute(db)
      const tables = new Map<string, TableMetadata & { columns: ColumnMetadata[] }>()
      for (const row of rows) {
        const internal =
          row.table_name === DEFAULT_MIGRATION_TABLE || row.table_name === DEFAULT_MIGRATION_LOCK_TABLE
        if (internal && !options?.withInternalKyselyTables) continue
        let table = tables.get(row.table_name)
        if (!table) {
          table = { name: row.table_name, schema: row.schema, isView: row.table_type === 'VIEW', columns: [] }
          tables.set(row.table_name, table)
        }
        table.columns.push({
          name: row.column_name,
          dataType: row.data_type,
          isNullable: row.is_nullable === 'YES',
          isAutoIncrementing: row.column_default?.startsWith('nextval(') ?? false,
          hasDefaultValue: row.column_default !== null,
        })
      }
      return [...tables.values()]
    }
    return {
      getSchemas: () => everySchema.getSchemas(),
      getTables,
      getMetadata: async (options) => ({ tables: await getTables(options) }),
    }
  }
}

const READ_TIMEOUT_MESSAGE = 'Query read timeout'

/**
 * After pg's client-side query timeout the connection still waits for the lost query's answer, and
 * every later query on it queues behind that answer. If the server forgot the connection (a restart
 * during a network partition), the answer never comes and the pool keeps lending out a dead client:
 * 503s forever after PostgreSQL is back. Destroying the socket makes the pool replace the client.
 */
function dropConnectionOnReadTimeout(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown
  const patched = client as unknown as { query: (...args: unknown[]) => unknown }
  patched.query = (...args: unknown[]) => {
    const result = query(...args)
    if (result instanceof Promise) {
      result.catch((error: unknown) => {
        if (error instanceof Error && error.message === READ_TIMEOUT_MESSAGE) {
          // pg-pool does the same to a client that misses its connection timeout.
          ;(client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy()
        }
      })
    }
    return result
  }
}
