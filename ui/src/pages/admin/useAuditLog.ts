import { useState } from 'preact/hooks'
import { listAudit, type AuditFilter } from '../../api/admin.ts'
import type { AuditEvent } from '../../api/types.ts'
import { describeError } from '../../errors.ts'
import { useI18n } from '../../i18n/index.ts'

/** Loads audit events for a filter, newest first, and appends older pages on request. */
export function useAuditLog() {
  const i18n = useI18n()
  const [events, setEvents] = useState<AuditEvent[] | null>(null)
  const [next, setNext] = useState<string | null>(null)
  const [filter, setFilter] = useState<AuditFilter>({})
  const [error, setError] = useState<string | undefined>(undefined)
  const [pending, setPending] = useState(false)

  const fetchPage = async (wanted: AuditFilter, append: boolean) => {
    setPending(true)
    setError(undefined)
    try {
      const page = await listAudit(wanted)
      setEvents((previous) => (append && previous ? [...previous, ...page.items] : page.items))
      setNext(page.next_cursor)
    } catch (caught) {
      setError(describeError(caught, i18n))
    } finally {
      setPending(false)
    }
  }
  return {
    events,
    error,
    pending,
    hasOlder: next !== null,
    /** Starts over with a new filter. */
    load: (wanted: AuditFilter) => {
      setFilter(wanted)
      return fetchPage(wanted, false)
    },
    /** Appends the next older page. */
    loadOlder: () => (next === null ? Promise.resolve() : fetchPage({ ...filter, cursor: next }, true)),
  }
}
