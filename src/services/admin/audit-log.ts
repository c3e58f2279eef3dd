import { AppError } from '../../errors.ts'
import { listAuditEvents, type AuditEventFilter } from '../../db/audit.ts'
import { parseInstant, toPublicAuditEvent, type PublicAuditEvent } from '../audit.ts'
import type { ServiceContext } from '../context.ts'
import { decodeCursor, encodeCursor, parseLimit } from './cursor.ts'

/** Query parameters of GET /admin/audit, as strings. */
export interface AuditListQuery {
  action?: string
  actor?: string
  target?: string
  since?: string
  until?: string
  cursor?: string
  limit?: string
}

function instant(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const value = parseInstant(text)
  if (value === undefined) {
    throw new AppError(422, 'validation_failed', `${name} must be an ISO 8601 date or date-time with a zone`)
  }
  return value
}

/** One page of audit events, newest first, and the cursor of the next (older) page. */
export async function listAuditPage(
  context: ServiceContext,
  query: AuditListQuery,
): Promise<{ items: PublicAuditEvent[]; next_cursor: string | null }> {
  const limit = parseLimit(query.limit, 50, 500)
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
  const since = instant('since', query.since)
  const until = instant('until', query.until)
  const filter: AuditEventFilter = {
    ...(query.action !== undefined ? { action: query.action } : {}),
    ...(query.actor !== undefined ? { actorUserId: query.actor } : {}),
    ...(query.target !== undefined ? { targetUserId: query.target } : {}),
    ...(since !== undefined ? { since } : {}),
    ...(until !== undefined ? { until } : {}),
  }
  const rows = await listAuditEvents(context.db, filter, {
    limit: limit + 1,
    direction: 'desc',
    ...(after ? { after: { at: after.time, id: after.id } } : {}),
  })
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    items: page.map(toPublicAuditEvent),
    next_cursor: rows.length > limit && last ? encodeCursor(last.at, last.id) : null,
  }
}
