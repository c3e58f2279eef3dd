import { useState } from 'preact/hooks'
import { endUserSessions } from '../../api/admin.ts'
import type { AdminSession, AdminUserDetail } from '../../api/types.ts'
import { ErrorAlert } from '../../components/Alert.tsx'
import { TableRegion } from '../../components/TableRegion.tsx'
import { describeError } from '../../errors.ts'
import { describeDevice, formatDateTime } from '../../format.ts'
import { useI18n } from '../../i18n/index.ts'

/** A user's live sessions, and ending all of them at once. */
export function UserSessions(props: {
  user: AdminUserDetail
  sessions: AdminSession[]
  onChanged: (message: string) => Promise<void>
}) {
  const i18n = useI18n()
  const { t, language } = i18n
  const [error, setError] = useState<string | undefined>(undefined)
  const [pending, setPending] = useState(false)
  const endAll = async () => {
    setPending(true)
    setError(undefined)
    try {
      const { revoked } = await endUserSessions(props.user.id)
      await props.onChanged(t('user.sessionsEnded', { count: revoked }))
    } catch (caught) {
      setError(describeError(caught, i18n))
    } finally {
      setPending(false)
    }
  }
  return (
    <section aria-labelledby="user-sessions">
      <h2 id="user-sessions">{t('user.sessionsHeading')}</h2>
      <ErrorAlert>{error}</ErrorAlert>
      {props.sessions.length === 0 ? (
        <p>{t('user.noSessions')}</p>
      ) : (
        <TableRegion caption={t('user.sessionsCaption', { username: props.user.username })}>
          <thead>
            <tr>
              <th scope="col">{t('sessions.device')}</th>
              <th scope="col">{t('sessions.address')}</th>
              <th scope="col">{t('sessions.lastUsed')}</th>
              <th scope="col">{t('sessions.started')}</th>
            </tr>
          </thead>
          <tbody>
            {props.sessions.map((session) => (
              <tr key={session.id}>
                <td>{describeDevice(session.user_agent, t)}</td>
                <td>{session.ip ?? '—'}</td>
                <td>{formatDateTime(session.last_used_at, language)}</td>
                <td>{formatDateTime(session.created_at, language)}</td>
              </tr>
            ))}
          </tbody>
        </TableRegion>
      )}
      <div class="actions">
        <button
          type="button"
          class="secondary"
          disabled={pending || props.sessions.length === 0}
          onClick={() => void endAll()}
        >
          {t('user.endSessions')}
        </button>
      </div>
    </section>
  )
}
