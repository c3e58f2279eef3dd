import type {
  Expression,
  ExpressionBuilder,
  Kysely,
  Selectable,
  SelectQueryBuilder,
  SqlBool,
  UpdateObject,
  WhereInterface,
} from 'kysely'
import type { Database, Executor } from './schema.ts'

/** A table of the application database. */
export type TableName = keyof Database

/**
 * Values a row must hold, each compared with `=` (`is` for null), in the order written. Every key is a
 * condition: an undefined value matches nothing, never everything.
 */
export type RowMatch<T extends TableName> = Partial<Selectable<Database[T]>>

/** A further condition on a row, in Kysely's own terms, for what `=` cannot say. */
export type RowFilter<T extends TableName> = (eb: ExpressionBuilder<Database, T>) => Expression<SqlBool>

/** A table of single-use rows: each expires (`expires_at`) and is consumed (`consumed_at`) at most once. */
export type ConsumableTable = {
  [T in TableName]: Database[T] extends { expires_at: number; consumed_at: number | null } ? T : never
}[TableName]

// The signatures check table names, columns and values against `Database`. Kysely cannot follow a table
// name that is a type parameter, so the bodies build the same query on an untyped view of the database.
type UntypedDatabase = Record<string, Record<string, unknown>>
type UntypedWhere = WhereInterface<UntypedDatabase, string>
type UntypedValues = UpdateObject<UntypedDatabase, string>
type UntypedFilter = (eb: ExpressionBuilder<UntypedDatabase, string>) => Expression<SqlBool>

function untyped(db: Executor): Kysely<UntypedDatabase> {
  return db as unknown as Kysely<UntypedDatabase>
}

// Each condition is its own `and` term, so the SQL reads as a hand-written chain of `.where` calls would.
function whereAll<Query extends UntypedWhere>(
  query: Query,
  match: Record<string, unknown>,
  filters: readonly UntypedFilter[],
): Query {
  let narrowed: UntypedWhere = query
  for (const [column, value] of Object.entries(match))
    narrowed = narrowed.where(column, value === null ? 'is' : '=', value)
  for (const filter of filters) narrowed = narrowed.where(filter)
  return narrowed as Query
}

function untypedFilters<T extends TableName>(filters: ReadonlyArray<RowFilter<T>>): UntypedFilter[] {
  return filters as unknown as UntypedFilter[]
}

/**
 * `select *` from `table`, narrowed to the rows that hold `match` and pass `filters`; the caller finishes
 * the query (order, limit, execute) with Kysely's own typed methods.
 */
export function selectRows<T extends TableName>(
  db: Executor,
  table: T,
  match: RowMatch<T>,
  ...filters: Array<RowFilter<T>>
): SelectQueryBuilder<Database, T, Selectable<Database[T]>> {
  const query = whereAll(
    untyped(db)
      .selectFrom(table as string)
      .selectAll(),
    match,
    untypedFilters(filters),
  )
  return query as unknown as SelectQueryBuilder<Database, T, Selectable<Database[T]>>
}

/** Sets `values` on the rows that hold `match` and pass `filters`, in one statement; how many changed. */
export async function updateRows<T extends TableName>(
  db: Executor,
  table: T,
  match: RowMatch<T>,
  values: UpdateObject<Database, T>,
  ...filters: Array<RowFilter<T>>
): Promise<number> {
  const update = untyped(db)
    .updateTable(table as string)
    .set(values as UntypedValues)
  const result = await whereAll(update, match, untypedFilters(filters)).executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/**
 * Consumes the live row that holds `match` and passes `filters` and returns it, in one conditional update
 * (`consumed_at` set where it was null and `expires_at` is still ahead): of two parallel uses exactly one
 * gets the row. Undefined when none was live.
 */
export async function consumeRow<T extends ConsumableTable>(
  db: Executor,
  table: T,
  match: RowMatch<T>,
  now: number,
  ...filters: Array<RowFilter<T>>
): Promise<Selectable<Database[T]> | undefined> {
  const update = untyped(db)
    .updateTable(table as string)
    .set({ consumed_at: now })
  const unexpired: UntypedFilter = (eb) => eb('expires_at', '>', now)
  const live = whereAll(update, { ...match, consumed_at: null }, [unexpired, ...untypedFilters(filters)])
  return (await live.returningAll().executeTakeFirst()) as Selectable<Database[T]> | undefined
}

/** Deletes the rows of `table` that hold `match`; how many there were. */
export async function deleteRows<T extends TableName>(
  db: Executor,
  table: T,
  match: RowMatch<T>,
): Promise<number> {
  const result = await whereAll(untyped(db).deleteFrom(table as string), match, []).executeTakeFirst()
  return Number(result.numDeletedRows)
}

/**
 * Deletes the rows of `table` that ended before `before`: those in which any of `endedAt` (times such as
 * expiry, consumption or delivery) is earlier. How many there were.
 */
export async function deleteRowsEndedBefore<T extends TableName>(
  db: Executor,
  table: T,
  endedAt: ReadonlyArray<keyof Database[T] & string>,
  before: number,
): Promise<number> {
  const columns: readonly string[] = endedAt
  const result = await untyped(db)
    .deleteFrom(table as string)
    .where((eb) => eb.or(columns.map((column) => eb(column, '<', before))))
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
