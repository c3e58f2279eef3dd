import { useEffect, useState } from 'preact/hooks'
import { listSessions } from '../../api/account.ts'
import type { OwnSession } from '../../api/types.ts'
import { ErrorAlert } from '../../components/Alert.tsx'
import { Page } from '../../components/Page.tsx'
import { describeError } from '../../errors.ts'
import { useI18n } from '../../i18n/index.ts'
import { useSession } from '../../session.ts'
import { DeleteAccountSection } from './DeleteAccountSection.tsx'
import { ProfileSection } from './ProfileSection.tsx'
import { SecuritySection } from './SecuritySection.tsx'
import { SessionsSection } from './SessionsSection.tsx'

/**
 * /ui/account: the profile and username, security (the password today; second factors and passkeys join
 * this section later), sessions, and deleting the account. The sections appear together once the
 * sessions have loaded, so nothing moves under the reader's eyes.
 */
export function AccountPage() {
  const i18n = useI18n()
  const session = useSession()
  const [sessions, setSessions] = useState<OwnSession[] | null>(null)
  const [error, setError] = useState<string | undefined>(undefined)
  const reloadSessions = async () => {
    try {
      setSessions(await listSessions())
    } catch (caught) {
      setError(describeError(caught, i18n))
    }
  }
  useEffect(() => {
    void reloadSessions()
  }, [])
  return (
    <Page title={i18n.t('account.title')}>
      <ErrorAlert>{error}</ErrorAlert>
      {session && sessions && (
        <>
          <ProfileSection user={session.user} />
          <SecuritySection onSessionsChanged={reloadSessions} />
          <SessionsSection sessions={sessions} onChanged={reloadSessions} />
          <DeleteAccountSection />
        </>
      )}
    </Page>
  )
}
