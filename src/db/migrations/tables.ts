import type { ColumnBuilderCallback, ColumnDataType, CreateTableBuilder, Kysely } from 'kysely'

// The project's table conventions as Kysely builder calls, for the migrations that create tables: ids
// and times are made in code (text ids, bigint epoch milliseconds), and a row owned by another goes when
// its owner goes. These types mean the same on SQLite and PostgreSQL.
// Frozen with the migrations that use it (not a migration itself: MIGRATIONS in ../migrate.ts is a fixed
// list): test/db/migration-sql.test.ts pins every statement they run, so changing what a helper here
// produces fails that test. A later migration that needs something else adds a helper or writes its
// builder calls out; it never changes one in use.

/** Consecutive columns of a table that share a type and constraints, in the table's order. */
export interface Columns {
  names: string[]
  type: ColumnDataType
  build?: ColumnBuilderCallback
}

/** The table's primary key, a text value made in code. */
export function primaryKey(name = 'id'): Columns {
  return { names: [name], type: 'text', build: (column) => column.primaryKey() }
}

/** Columns that always hold a value. */
export function required(type: ColumnDataType, ...names: string[]): Columns {
  return { names, type, build: (column) => column.notNull() }
}

/** Columns that may be null. */
export function optional(type: ColumnDataType, ...names: string[]): Columns {
  return { names, type }
}

/** A required reference (`target` is `table.id`) whose rows are deleted with the row they belong to. */
export function ownedBy(name: string, target: string): Columns {
  return {
    names: [name],
    type: 'text',
    build: (column) => column.notNull().references(target).onDelete('cascade'),
  }
}

/** As `ownedBy`, for rows that may belong to no one. */
export function optionallyOwnedBy(name: string, target: string): Columns {
  return { names: [name], type: 'text', build: (column) => column.references(target).onDelete('cascade') }
}

/** Creates `table` with its columns in the order given. */
export async function createTable(db: Kysely<any>, table: string, columns: Columns[]): Promise<void> {
  let builder: CreateTableBuilder<string, string> = db.schema.createTable(table)
  for (const { names, type, build } of columns) {
    for (const name of names) builder = builder.addColumn(name, type, build)
  }
  await builder.execute()
}

/** Creates an index on `table` over `columns`, in that order; a unique one if `unique` says so. */
export async function createIndex(
  db: Kysely<any>,
  name: string,
  table: string,
  columns: string[],
  { unique = false } = {},
): Promise<void> {
  const index = db.schema.createIndex(name).on(table).columns(columns)
  await (unique ? index.unique() : index).execute()
}
