import { sql, type Kysely, type Transaction } from 'kysely'
import type { DatabaseHandle } from './connect.ts'
import type { Database } from './schema.ts'

/**
 * Every table `db copy` moves, parents before children, with the unique key it pages by. This is the one
 * place the table list lives: its type fails the build when a table is added to `Database` but not here,
 * and a test checks the list against the tables and foreign keys the migrations create.
 */
const PAGING_KEYS: { [T in keyof Database]: keyof Database[T] & string } = {
  users: 'id',
  sessions: 'id',
  refresh_tokens: 'id',
  signing_keys: 'kid',
  audit_events: 'id',
  leases: 'name',
  throttle_counters: 'key',
  one_time_secrets: 'id',
  email_outbox: 'id',
  totp_factors: 'id',
  recovery_codes: 'id',
  webauthn_credentials: 'id',
  webauthn_challenges: 'id',
}

/** The tables in copy order, each with its paging key (a literal keeps its string keys in written order). */
export const COPY_TABLES = Object.entries(PAGING_KEYS).map(([table, key]) => ({ table, key }))

/** Where a copy stands, reported after each batch (and once with `copied: 0` when a table starts). */
export interface CopyProgress {
  table: string
  copied: number
  total: number
}

/** Options for {@link copyDatabase}. */
export interface CopyOptions {
  /** Clear a non-empty target first instead of refusing. */
  force?: boolean
  /** Rows read and written per round trip. */
  batchSize?: number
  onProgress?: (progress: CopyProgress) => void
}

/** What was copied, table by table, in copy order. */
export interface CopyReport {
  tables: Array<{ table: string; rows: number }>
}

/** The target already holds data and `force` was not given. */
export class CopyTargetNotEmptyError extends Error {
  constructor(readonly rowCounts: Record<string, number>) {
    const nonEmpty = Object.entries(rowCounts)
      .filter(([, count]) => count > 0)
      .map(([table, count]) => `${table} (${count} rows)`)
    super(`target database is not empty: ${nonEmpty.join(', ')}; pass --force to replace its contents`)
    this.name = 'CopyTargetNotEmptyError'
  }
}

/** The two databases are not at the same migration, so their columns may differ. */
export class CopySchemaMismatchError extends Error {
  constructor(source: string[], target: string[]) {
    super(
      `source and target schemas differ (source migrations: ${source.join(', ') || 'none'}; target: ` +
        `${target.join(', ') || 'none'}); run \`gatehouse migrate\` against both first`,
    )
    this.name = 'CopySchemaMismatchError'
  }
}

/** After copying, a table's row count in the target differs from the source's. */
export class CopyVerificationError extends Error {
  constructor(table: string, source: number, target: number) {
    super(`row count mismatch in ${table}: source has ${source}, target has ${target}`)
    this.name = 'CopyVerificationError'
  }
}

export const DEFAULT_COPY_BATCH_SIZE = 500
// SQLite allows 32,766 bound parameters per statement and PostgreSQL 65,535; stay well under both.
const MAX_PARAMETERS_PER_INSERT = 30_000

type Row = Record<string, unknown>
// Table names come from COPY_TABLES, so a loosely typed view of the same database is enough here.
type AnyTables = Record<string, Row>

/**
 * Copies every table from `source` to `target`, which must both be migrated to the same version.
 * The source is read from one snapshot and the target written in one transaction, so a failed or
 * interrupted copy leaves the target as it was. Rows move as they are: signing keys stay sealed under
 * the same GATEHOUSE_SECRET, so tokens issued before the move keep verifying after it.
 */
export async function copyDatabase(
  source: DatabaseHandle,
  target: DatabaseHandle,
  options: CopyOptions = {},
): Promise<CopyReport> {
  const batchSize = options.batchSize ?? DEFAULT_COPY_BATCH_SIZE
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError('batch size must be a positive integer')
  await assertSameMigrations(source.db, target.db)

  let reading = source.db.transaction()
  // PostgreSQL's default READ COMMITTED takes a new snapshot per statement; a copy needs one for all.
  // SQLite in WAL mode already reads one snapshot for the whole transaction.
  if (source.dialect === 'postgres') reading = reading.setIsolationLevel('repeatable read')
  return reading.execute((sourceTrx) =>
    target.db.transaction().execute(async (targetTrx) => {
      await clearTarget(loose(targetTrx), options.force ?? false)
      const report: CopyReport = { tables: [] }
      for (const { table, key } of COPY_TABLES) {
        const rows = await copyTable(loose(sourceTrx), loose(targetTrx), table, key, batchSize, options)
        report.tables.push({ table, rows })
      }
      return report
    }),
  )
}

function loose(executor: Kysely<Database> | Transaction<Database>): Kysely<AnyTables> {
  return executor as unknown as Kysely<AnyTables>
}

async function assertSameMigrations(source: Kysely<Database>, target: Kysely<Database>): Promise<void> {
  const [sourceNames, targetNames] = await Promise.all([appliedMigrations(source), appliedMigrations(target)])
  if (sourceNames.length === 0 || sourceNames.join('\n') !== targetNames.join('\n'))
    throw new CopySchemaMismatchError(sourceNames, targetNames)
}

async function appliedMigrations(db: Kysely<Database>): Promise<string[]> {
  try {
    const result = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)
    return result.rows.map((row) => row.name)
  } catch (error) {
    // Never migrated. (Introspection would not do: on PostgreSQL it lists every schema's tables.)
    if (error instanceof Error && /no such table|does not exist/.test(error.message)) return []
    throw error
  }
}

async function countRows(db: Kysely<AnyTables>, table: string): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

async function clearTarget(target: Kysely<AnyTables>, force: boolean): Promise<void> {
  const rowCounts: Record<string, number> = {}
  for (const { table } of COPY_TABLES) rowCounts[table] = await countRows(target, table)
  if (Object.values(rowCounts).every((count) => count === 0)) return
  if (!force) throw new CopyTargetNotEmptyError(rowCounts)
  // Children first, so no foreign key ever points at a deleted parent (cascades aside).
  for (const { table } of [...COPY_TABLES].reverse()) await target.deleteFrom(table).execute()
}

async function copyTable(
  source: Kysely<AnyTables>,
  target: Kysely<AnyTables>,
  table: string,
  key: string,
  batchSize: number,
  options: CopyOptions,
): Promise<number> {
  const total = await countRows(source, table)
  options.onProgress?.({ table, copied: 0, total })
  let copied = 0
  let lastKey: unknown
  for (;;) {
    // Keyset paging: each batch starts after the last key, so a batch costs the same at any depth.
    let query = source.selectFrom(table).selectAll().orderBy(key).limit(batchSize)
    if (lastKey !== undefined) query = query.where(key, '>', lastKey)
    const rows = await query.execute()
    const first = rows[0]
    const last = rows.at(-1)
    if (first === undefined || last === undefined) break
    const rowsPerInsert = Math.max(1, Math.floor(MAX_PARAMETERS_PER_INSERT / Object.keys(first).length))
    for (let start = 0; start < rows.length; start += rowsPerInsert) {
      await target
        .insertInto(table)
        .values(rows.slice(start, start + rowsPerInsert))
        .execute()
    }
    copied += rows.length
    lastKey = last[key]
    options.onProgress?.({ table, copied, total })
    if (rows.length < batchSize) break
  }
  const written = await countRows(target, table)
  if (copied !== total || written !== total) throw new CopyVerificationError(table, total, written)
  return written
}
