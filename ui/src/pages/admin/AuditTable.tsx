import type { AuditEvent } from '../../api/types.ts'
import { Link } from '../../components/Link.tsx'
import { TableRegion } from '../../components/TableRegion.tsx'
import { formatDateTime } from '../../format.ts'
import { useI18n } from '../../i18n/index.ts'

function UserLink({ id }: { id: string | null }) {
  if (id === null) return <>—</>
  return (
    <Link href={`/ui/admin/users/${encodeURIComponent(id)}`}>
      <code>{id}</code>
    </Link>
  )
}

// Details are small JSON objects written by the server (never secrets); shown as text, so escaped.
function detailsText(details: AuditEvent['details']): string {
  if (details === null) return ''
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ')
}

/** Audit events as a table, newest first; each user id links to that user's page. */
export function AuditTable({ caption, events }: { caption: string; events: AuditEvent[] }) {
  const { t, language } = useI18n()
  return (
    <TableRegion caption={caption}>
      <thead>
        <tr>
          <th scope="col">{t('audit.time')}</th>
          <th scope="col">{t('audit.action')}</th>
          <th scope="col">{t('audit.outcome')}</th>
          <th scope="col">{t('audit.actor')}</th>
          <th scope="col">{t('audit.target')}</th>
          <th scope="col">{t('audit.address')}</th>
          <th scope="col">{t('audit.details')}</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => (
          <tr key={event.id}>
            <td>{formatDateTime(event.at, language)}</td>
            <td>
              <code class="nowrap">{event.action}</code>
            </td>
            <td>{t(event.outcome === 'success' ? 'audit.success' : 'audit.failure')}</td>
            <td>
              <UserLink id={event.actor_user_id} />
            </td>
            <td>
              <UserLink id={event.target_user_id} />
            </td>
            <td>{event.ip ?? '—'}</td>
            <td class="details">{detailsText(event.details)}</td>
          </tr>
        ))}
      </tbody>
    </TableRegion>
  )
}
