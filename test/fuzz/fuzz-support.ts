import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import type { FastifyInstance } from 'fastify'

// What the fuzz suites share: how many runs, which endpoints take a body (read from the OpenAPI document,
// so a new route is fuzzed without editing this suite), and a fingerprint of the store.

/** Runs per property: small in `npm test`, `FUZZ_RUNS=10000 npm run test:fuzz` for the deep run. */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 25)

/** A test's time: the default suffices for the small runs; a deep run gets room in proportion. */
export const FUZZ_TIMEOUT_MS = Math.max(60_000, FUZZ_RUNS * 40)

/** One operation that takes a request body, as the OpenAPI document describes it. */
export interface BodyOperation {
  method: string
  /** The OpenAPI path, `{id}`-style parameters included. */
  path: string
  /** The media types it consumes and the properties each declares (JSON Schema). */
  media: Array<{ type: string; properties: Record<string, PropertySchema> }>
  /** The 2xx statuses it documents. */
  documentedSuccess: number[]
  /** Whether it wants a bearer token. */
  secured: boolean
}

/** The part of a property's JSON Schema the generators read. */
export interface PropertySchema {
  type?: string | string[]
  const?: unknown
  enum?: unknown[]
  anyOf?: PropertySchema[]
}

interface OpenApiOperation {
  requestBody?: { content: Record<string, { schema?: { properties?: Record<string, PropertySchema> } }> }
  responses?: Record<string, unknown>
  security?: unknown[]
}

/** Every operation of the app that declares a request body. */
export function bodyOperations(app: FastifyInstance): BodyOperation[] {
  const document = app.swagger() as { paths: Record<string, Record<string, OpenApiOperation>> }
  const operations: BodyOperation[] = []
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (!operation.requestBody) continue
      operations.push({
        method: method.toUpperCase(),
        path,
        media: Object.entries(operation.requestBody.content).map(([type, content]) => ({
          type,
          properties: content.schema?.properties ?? {},
        })),
        documentedSuccess: Object.keys(operation.responses ?? {})
          .map(Number)
          .filter((status) => status >= 200 && status < 300),
        secured: operation.security !== undefined,
      })
    }
  }
  return operations
}

// Tables a refused request may legitimately write: the audit trail records refusals on purpose, and
// throttle counters count them; leases and migrations belong to the process, not to a request.
const WRITTEN_BY_REFUSALS = new Set(['audit_events', 'throttle_counters', 'leases'])

/**
 * A fingerprint of every table a refusal must leave alone (SQLite): table name, row count and a hash of
 * its rows. A session's `last_used_at` is left out: authenticating a request may touch it.
 */
export async function storeFingerprint(app: FastifyInstance): Promise<Record<string, string>> {
  const { db } = app.services
  const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table'
    and name not like 'sqlite_%' and name not like 'kysely_%' order by name`.execute(db)
  const fingerprint: Record<string, string> = {}
  for (const { name } of tables.rows) {
    if (WRITTEN_BY_REFUSALS.has(name)) continue
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)} order by rowid`.execute(
      db,
    )
    const hash = createHash('sha256')
    for (const row of rows.rows) {
      if (name === 'sessions') delete row.last_used_at
      hash.update(JSON.stringify(row))
    }
    fingerprint[name] = `${rows.rows.length}:${hash.digest('hex').slice(0, 16)}`
  }
  return fingerprint
}
