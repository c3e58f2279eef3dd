import { useEffect, useState } from 'preact/hooks'
import { listSessions } from '../../api/account.ts'
import { ApiError } from '../../api/client.ts'
import { listFactors, listPasskeys } from '../../api/mfa.ts'
import type { FactorSummary, OwnSession, Passkey } from '../../api/types.ts'
import { ErrorAlert } from '../../components/Alert.tsx'
import { Page } from '../../components/Page.tsx'
import { describeError } from '../../errors.ts'
import { useI18n } from '../../i18n/index.ts'
import { useSession } from '../../session.ts'
import { DeleteAccountSection } from './DeleteAccountSection.tsx'
import { EmailSection } from './EmailSection.tsx'
import { ProfileSection } from './ProfileSection.tsx'
import { SecuritySection } from './SecuritySection.tsx'
import { PasskeysSection } from './PasskeysSection.tsx'
import { SessionsSection } from './SessionsSection.tsx'
import { TotpSection } from './TotpSection.tsx'

/** The second factors, or null on a server without them (its /mfa answers 404). */
export interface Factors {
  summary: FactorSummary
  passkeys: Passkey[]
}

async function loadFactors(): Promise<Factors | null> {
  try {
    const [summary, passkeys] = await Promise.all([listFactors(), listPasskeys()])
    return { summary, passkeys }
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null
    throw error
  }
}

/**
 * /ui/account: the profile and username, the email address, security (password, authenticator app,
 * recovery codes, passkeys), sessions, and deleting the account. The sections appear together once
 * everything has loaded, so nothing moves under the reader's eyes.
 */
export function AccountPage() {
  const i18n = useI18n()
  const session = useSession()
  const [sessions, setSessions] = useState<OwnSession[] | null>(null)
  const [factors, setFactors] = useState<Factors | null | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const reloadSessions = async () => {
    try {
      setSessions(await listSessions())
    } catch (caught) {
      setError(describeError(caught, i18n))
    }
  }
  const reloadFactors = async () => {
    try {
      setFactors(await loadFactors())
    } catch (caught) {
      setError(describeError(caught, i18n))
    }
  }
  const reloadSecurity = async () => {
    await Promise.all([reloadSessions(), reloadFactors()])
  }
  useEffect(() => {
    void reloadSecurity()
  }, [])
  const user = session?.user
  return (
    <Page title={i18n.t('account.title')}>
      <ErrorAlert>{error}</ErrorAlert>
      {user && sessions && factors !== undefined && (
        <>
          <ProfileSection user={user} />
          {'email' in user && <EmailSection user={user} />}
          <SecuritySection onChanged={reloadSecurity} />
          {factors && <TotpSection factors={factors.summary} onChanged={reloadSecurity} />}
          {factors && <PasskeysSection passkeys={factors.passkeys} onChanged={reloadSecurity} />}
          <SessionsSection sessions={sessions} onChanged={reloadSessions} />
          <DeleteAccountSection />
        </>
      )}
    </Page>
  )
}
