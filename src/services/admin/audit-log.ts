import { AppError } from '../../errors.ts'
import { listAuditEvents, type AuditEventFilter } from '../../db/audit.ts'
import { parseInstant, toPublicAuditEvent, type PublicAuditEvent } from '../audit.ts'
import type { ServiceContext } from '../context.ts'
import { readKeysetPage, type Page } from './cursor.ts'

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
): Promise<Page<PublicAuditEvent>> {
  return readKeysetPage(query, {
    defaultLimit: 50,
    maxLimit: 500,
    fetchRows: (limit, after) => {
      const since = instant('since', query.since)
      const until = instant('until', query.until)
      const filter: AuditEventFilter = {
        ...(query.action !== undefined ? { action: query.action } : {}),
        ...(query.actor !== undefined ? { actorUserId: query.actor } : {}),
        ...(query.target !== undefined ? { targetUserId: query.target } : {}),
        ...(since !== undefined ? { since } : {}),
        ...(until !== undefined ? { until } : {}),
      }
      return listAuditEvents(context.db, filter, {
        limit,
        direction: 'desc',
        ...(after ? { after: { at: after.time, id: after.id } } : {}),
      })
    },
    positionOf: (row) => ({ time: row.at, id: row.id }),
    toItem: toPublicAuditEvent,
  })
}
