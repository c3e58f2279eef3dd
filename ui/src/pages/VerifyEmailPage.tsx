import { useState } from 'preact/hooks'
import { verifyEmail } from '../api/email.ts'
import type { Profile } from '../api/types.ts'
import { ErrorAlert } from '../components/Alert.tsx'
import { Link } from '../components/Link.tsx'
import { Page } from '../components/Page.tsx'
import { describeError } from '../errors.ts'
import { useFragmentToken } from '../fragment.ts'
import { useI18n } from '../i18n/index.ts'
import { updateUser, useSession } from '../session.ts'
import { EmailCodeForm } from './account/EmailCodeForm.tsx'

/**
 * /ui/verify-email: confirms an address, by the emailed link's token (from the fragment; the POST happens
 * only when the button is pressed, never on opening the link) or, signed in, by the 6-digit code.
 */
export function VerifyEmailPage() {
  const i18n = useI18n()
  const { t } = i18n
  const session = useSession()
  const token = useFragmentToken()
  const [verified, setVerified] = useState<string | null>(null)
  const [error, setError] = useState<string | undefined>(undefined)
  const [pending, setPending] = useState(false)
  const done = (profile: Profile) => {
    if (session && session.user.id === profile.id) updateUser(profile)
    setVerified(profile.email ?? '')
  }
  const confirm = async () => {
    setPending(true)
    setError(undefined)
    try {
      done(await verifyEmail({ token: token ?? '' }))
    } catch (caught) {
      setError(describeError(caught, i18n))
    } finally {
      setPending(false)
    }
  }
  let body
  if (verified !== null) {
    body = (
      <>
        <div class="alert alert-ok" role="status">
          <p>{t('verify.done', { email: verified })}</p>
        </div>
        <p>
          <Link href={session ? '/ui/account' : '/ui/login'}>
            {t(session ? 'verify.toAccount' : 'verify.signIn')}
          </Link>
        </p>
      </>
    )
  } else if (token !== undefined) {
    body = (
      <>
        <p>{t('verify.explainLink')}</p>
        <ErrorAlert>{error}</ErrorAlert>
        <div class="actions">
          <button type="button" disabled={pending} onClick={() => void confirm()}>
            {t('verify.submit')}
          </button>
        </div>
      </>
    )
  } else if (session) {
    body = (
      <>
        <p>{t('verify.explainCode')}</p>
        <EmailCodeForm onVerified={done} />
      </>
    )
  } else {
    body = (
      <p>
        {t('verify.signInForCode')}{' '}
        <Link href="/ui/login?next=%2Fui%2Fverify-email">{t('verify.signIn')}</Link>
      </p>
    )
  }
  return <Page title={t('verify.title')}>{body}</Page>
}
