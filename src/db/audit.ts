import { sql, type Insertable, type Selectable } from 'kysely'
import type { AuditEventsTable, Executor } from './schema.ts'

/** A stored audit event; `details` is JSON text. */
export type AuditEventRow = Selectable<AuditEventsTable>

/** Which events to read; times are epoch milliseconds, `since` inclusive and `until` exclusive. */
export interface AuditEventFilter {
  action?: string
  actorUserId?: string
  targetUserId?: string
  since?: number
  until?: number
}

/** A position in the (at, id) order; ids are unique, so the order is total and pages never overlap. */
export interface AuditEventPosition {
  at: number
  id: string
}

/** Appends one event. There is no update function: the log is append-only, and only retention deletes. */
export async function insertAuditEvent(db: Executor, event: Insertable<AuditEventsTable>): Promise<void> {
  await db.insertInto('audit_events').values(event).execute()
}

/**
 * One keyset page of events matching `filter`, strictly after `after` in the given direction. Keyset
 * rather than OFFSET: events keep arriving while an admin pages, and an offset would shift under them.
 */
export async function listAuditEvents(
  db: Executor,
  filter: AuditEventFilter,
  options: { limit: number; after?: AuditEventPosition; direction: 'asc' | 'desc' },
): Promise<AuditEventRow[]> {
  const comparison = options.direction === 'asc' ? '>' : '<'
  let query = db.selectFrom('audit_events').selectAll()
  if (filter.action !== undefined) query = query.where('action', '=', filter.action)
  if (filter.actorUserId !== undefined) query = query.where('actor_user_id', '=', filter.actorUserId)
  if (filter.targetUserId !== undefined) query = query.where('target_user_id', '=', filter.targetUserId)
  if (filter.since !== undefined) query = query.where('at', '>=', filter.since)
  if (filter.until !== undefined) query = query.where('at', '<', filter.until)
  const after = options.after
  if (after !== undefined) {
    // Spelled out rather than a row-value comparison, which older SQLite builds do not support.
    query = query.where((eb) =>
      eb.or([
        eb('at', comparison, after.at),
        eb.and([eb('at', '=', after.at), eb('id', comparison, after.id)]),
      ]),
    )
  }
  return query
    .orderBy('at', options.direction)
    .orderBy('id', options.direction)
    .limit(options.limit)
    .execute()
}

/**
 * Deletes events older than `before`, in batches, so a first purge of a large table never holds one
 * long write lock (SQLite has a single writer, and the server keeps writing while this runs).
 */
export async function purgeAuditEventsBefore(
  db: Executor,
  before: number,
  batchSize = 5000,
): Promise<number> {
  let total = 0
  for (;;) {
    const result = await db
      .deleteFrom('audit_events')
      .where('id', 'in', (eb) =>
        eb.selectFrom('audit_events').select('id').where('at', '<', before).limit(batchSize),
      )
      .executeTakeFirst()
    const deleted = Number(result.numDeletedRows)
    total += deleted
    if (deleted < batchSize) return total
  }
}

/** Counts events, for tests and the CLI. */
export async function countAuditEvents(db: Executor, action?: string): Promise<number> {
  let query = db.selectFrom('audit_events').select(sql<number | string>`count(*)`.as('count'))
  if (action !== undefined) query = query.where('action', '=', action)
  const row = await query.executeTakeFirstOrThrow()
  return Number(row.count)
}
