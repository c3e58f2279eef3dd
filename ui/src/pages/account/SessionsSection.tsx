import { useState } from 'preact/hooks'
import { endOtherSessions, endSessionById } from '../../api/account.ts'
import type { OwnSession } from '../../api/types.ts'
import { ErrorAlert, StatusMessage } from '../../components/Alert.tsx'
import { TableRegion } from '../../components/TableRegion.tsx'
import { describeError } from '../../errors.ts'
import { describeDevice, formatDateTime } from '../../format.ts'
import { useI18n } from '../../i18n/index.ts'

/** The person's sessions: device, address and last use; end one, or all but this one. */
export function SessionsSection(props: { sessions: OwnSession[]; onChanged: () => Promise<void> }) {
  const i18n = useI18n()
  const { t, language } = i18n
  const [error, setError] = useState<string | undefined>(undefined)
  const [done, setDone] = useState<string | undefined>(undefined)
  const [pending, setPending] = useState(false)
  const run = async (action: () => Promise<string>) => {
    setPending(true)
    setError(undefined)
    setDone(undefined)
    try {
      setDone(await action())
      await props.onChanged()
    } catch (caught) {
      setError(describeError(caught, i18n))
    } finally {
      setPending(false)
    }
  }
  const others = props.sessions.filter((session) => !session.current)
  return (
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">{t('sessions.heading')}</h2>
      <ErrorAlert>{error}</ErrorAlert>
      <TableRegion caption={t('sessions.caption')}>
        <thead>
          <tr>
            <th scope="col">{t('sessions.device')}</th>
            <th scope="col">{t('sessions.address')}</th>
            <th scope="col">{t('sessions.lastUsed')}</th>
            <th scope="col">{t('sessions.started')}</th>
            <th scope="col">
              <span class="visually-hidden">{t('common.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.sessions.map((session) => {
            const device = describeDevice(session.user_agent, t)
            return (
              <tr key={session.id}>
                <td>{device}</td>
                <td>{session.ip ?? '—'}</td>
                <td>{formatDateTime(session.last_used_at, language)}</td>
                <td>{formatDateTime(session.created_at, language)}</td>
                <td>
                  {session.current ? (
                    <span class="badge">{t('sessions.thisDevice')}</span>
                  ) : (
                    <button
                      type="button"
                      class="secondary small"
                      disabled={pending}
                      aria-label={t('sessions.endOneLabel', {
                        device,
                        time: formatDateTime(session.last_used_at, language),
                      })}
                      onClick={() =>
                        void run(async () => {
                          await endSessionById(session.id)
                          return t('sessions.ended')
                        })
                      }
                    >
                      {t('sessions.endOne')}
                    </button>
                  )}
                </td>
              </tr>
            )
          })}
        </tbody>
      </TableRegion>
      <div class="actions">
        <button
          type="button"
          class="secondary"
          disabled={pending || others.length === 0}
          onClick={() =>
            void run(async () => {
              const { revoked } = await endOtherSessions()
              return t('sessions.endedOthers', { count: revoked })
            })
          }
        >
          {t('sessions.endOthers')}
        </button>
      </div>
      <StatusMessage>{done}</StatusMessage>
    </section>
  )
}
