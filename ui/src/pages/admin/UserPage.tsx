import { useEffect, useState } from 'preact/hooks'
import { getUser, listUserSessions } from '../../api/admin.ts'
import type { AdminSession, AdminUserDetail } from '../../api/types.ts'
import { ErrorAlert, StatusMessage } from '../../components/Alert.tsx'
import { Link } from '../../components/Link.tsx'
import { Page } from '../../components/Page.tsx'
import { describeError } from '../../errors.ts'
import { formatDateTime } from '../../format.ts'
import { useI18n } from '../../i18n/index.ts'
import { AdminNav } from './AdminNav.tsx'
import { AuditTable } from './AuditTable.tsx'
import { useAuditLog } from './useAuditLog.ts'
import { UserDangerZone } from './UserDangerZone.tsx'
import { UserFactors } from './UserFactors.tsx'
import { UserPasswordForm } from './UserPasswordForm.tsx'
import { UserRoleForm } from './UserRoleForm.tsx'
import { UserSessions } from './UserSessions.tsx'

/** /ui/admin/users/{id}: one user's facts, role, status, password, sessions, deletion and audit trail. */
export function UserPage({ id }: { id: string }) {
  const i18n = useI18n()
  const { t, language } = i18n
  const [user, setUser] = useState<AdminUserDetail | null>(null)
  const [sessions, setSessions] = useState<AdminSession[]>([])
  const [error, setError] = useState<string | undefined>(undefined)
  const [done, setDone] = useState<string | undefined>(undefined)
  const trail = useAuditLog()

  const reload = async () => {
    try {
      const [detail, live] = await Promise.all([getUser(id), listUserSessions(id)])
      await trail.load({ target: id })
      setUser(detail)
      setSessions(live)
    } catch (caught) {
      setError(describeError(caught, i18n))
    }
  }
  useEffect(() => {
    setUser(null)
    void reload()
  }, [id])
  // Every change reports what it did, then the page shows the user as the server now has them.
  const changed = async (message: string) => {
    setDone(message)
    await reload()
  }

  return (
    <Page title={user ? t('user.title', { username: user.username }) : t('user.loading')} wide>
      <AdminNav current="users" />
      <p>
        <Link href="/ui/admin">{t('user.back')}</Link>
      </p>
      <ErrorAlert>{error}</ErrorAlert>
      <StatusMessage>{done}</StatusMessage>
      {user && (
        <>
          <section aria-labelledby="user-facts">
            <h2 id="user-facts">{t('user.facts')}</h2>
            <dl class="facts">
              <dt>{t('user.id')}</dt>
              <dd>
                <code>{user.id}</code>
              </dd>
              {'email' in user && (
                <>
                  <dt>{t('field.email')}</dt>
                  <dd>
                    {user.email ? (
                      <>
                        {user.email}{' '}
                        <span class={user.email_verified ? 'badge badge-ok' : 'badge badge-warn'}>
                          {t(user.email_verified ? 'email.verifiedBadge' : 'email.unverifiedBadge')}
                        </span>
                      </>
                    ) : (
                      t('email.none')
                    )}
                  </dd>
                </>
              )}
              <dt>{t('users.role')}</dt>
              <dd>{user.role}</dd>
              <dt>{t('users.status')}</dt>
              <dd>{t(user.disabled ? 'users.statusDisabled' : 'users.statusEnabled')}</dd>
              <dt>{t('users.created')}</dt>
              <dd>{formatDateTime(user.created_at, language)}</dd>
              <dt>{t('users.lastLogin')}</dt>
              <dd>{formatDateTime(user.last_login_at, language)}</dd>
              <dt>{t('user.sessionCount')}</dt>
              <dd>{user.session_count}</dd>
            </dl>
          </section>
          <UserRoleForm user={user} onChanged={changed} />
          <UserPasswordForm user={user} onChanged={changed} />
          {'mfa' in user && <UserFactors user={user} onChanged={changed} />}
          <UserSessions user={user} sessions={sessions} onChanged={changed} />
          <section aria-labelledby="user-trail">
            <h2 id="user-trail">{t('user.trail')}</h2>
            <ErrorAlert>{trail.error}</ErrorAlert>
            {trail.events && <AuditTable caption={t('user.trailCaption')} events={trail.events} />}
            {trail.events?.length === 0 && <p>{t('audit.none')}</p>}
            <div class="actions">
              <button
                type="button"
                class="secondary"
                disabled={trail.pending || !trail.hasOlder}
                onClick={() => void trail.loadOlder()}
              >
                {t('audit.older')}
              </button>
            </div>
          </section>
          <UserDangerZone user={user} onChanged={changed} />
        </>
      )}
    </Page>
  )
}
