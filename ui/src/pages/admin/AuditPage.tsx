import { useEffect, useState } from 'preact/hooks'
import { ErrorAlert } from '../../components/Alert.tsx'
import { Field, SelectField } from '../../components/Field.tsx'
import { Page } from '../../components/Page.tsx'
import { useI18n } from '../../i18n/index.ts'
import { AdminNav } from './AdminNav.tsx'
import { AUDIT_ACTIONS } from './audit-actions.ts'
import { AuditTable } from './AuditTable.tsx'
import { useAuditLog } from './useAuditLog.ts'

/** /ui/admin/audit: the audit log, filtered by action, actor, target and dates. */
export function AuditPage() {
  const { t } = useI18n()
  const log = useAuditLog()
  const [action, setAction] = useState('')
  const [actor, setActor] = useState('')
  const [target, setTarget] = useState('')
  const [since, setSince] = useState('')
  const [until, setUntil] = useState('')
  useEffect(() => {
    void log.load({})
  }, [])
  const filter = (event: Event) => {
    event.preventDefault()
    void log.load({
      action,
      actor: actor.trim(),
      target: target.trim(),
      since,
      // "Until" a date includes that whole day; the API's bound is exclusive.
      until: until === '' ? '' : dayAfter(until),
    })
  }
  return (
    <Page title={t('admin.auditTitle')} wide>
      <AdminNav current="audit" />
      <form class="filters" onSubmit={filter} aria-label={t('audit.filterLabel')}>
        <SelectField
          label={t('audit.action')}
          name="action"
          value={action}
          onChange={setAction}
          options={[
            { value: '', label: t('audit.anyAction') },
            ...AUDIT_ACTIONS.map((name) => ({ value: name, label: name })),
          ]}
        />
        <Field label={t('audit.actorId')} name="actor" value={actor} onInput={setActor} />
        <Field label={t('audit.targetId')} name="target" value={target} onInput={setTarget} />
        <Field type="date" label={t('audit.since')} name="since" value={since} onInput={setSince} />
        <Field type="date" label={t('audit.until')} name="until" value={until} onInput={setUntil} />
        <div class="actions">
          <button type="submit" disabled={log.pending}>
            {t('audit.filterSubmit')}
          </button>
        </div>
      </form>
      <ErrorAlert>{log.error}</ErrorAlert>
      {log.events && (
        <>
          <AuditTable caption={t('audit.caption')} events={log.events} />
          {log.events.length === 0 && <p>{t('audit.none')}</p>}
          <div class="actions">
            <button
              type="button"
              class="secondary"
              disabled={log.pending || !log.hasOlder}
              onClick={() => void log.loadOlder()}
            >
              {t('audit.older')}
            </button>
          </div>
        </>
      )}
    </Page>
  )
}

function dayAfter(date: string): string {
  const next = new Date(`${date}T00:00:00Z`)
  next.setUTCDate(next.getUTCDate() + 1)
  return next.toISOString().slice(0, 10)
}
