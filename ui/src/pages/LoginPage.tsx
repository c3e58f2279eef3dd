import { useEffect, useState } from 'preact/hooks'
import { Link } from '../components/Link.tsx'
import { Page } from '../components/Page.tsx'
import { useI18n, type MessageKey } from '../i18n/index.ts'
import { navigate, safeNextPath } from '../router.ts'
import { takeEndReason, useSession, type EndReason } from '../session.ts'
import { registrationOpen } from '../settings.ts'
import type { SignInOutcome } from '../signin.ts'
import { PasswordStep } from './login/PasswordStep.tsx'

/**
 * Where the sign-in is. Each step is its own component that reports an outcome; the second factor
 * (TOTP, recovery code, passkey) will be further kinds here, entered from the password step's outcome.
 */
type LoginStep = { kind: 'password' }

const ENDED: Record<EndReason, MessageKey> = {
  'signed-out': 'login.ended.signedOut',
  expired: 'login.ended.expired',
  deleted: 'login.ended.deleted',
}

/** /ui/login: sign in, then go to `next` (one of our pages) or the account page. */
export function LoginPage({ next }: { next: string | null }) {
  const { t } = useI18n()
  const session = useSession()
  const [ended] = useState(takeEndReason)
  const [step] = useState<LoginStep>({ kind: 'password' })
  const destination = safeNextPath(next) ?? '/ui/account'

  useEffect(() => {
    if (session) navigate(destination, { replace: true })
  }, [session, destination])

  const onOutcome = (outcome: SignInOutcome) => {
    if (outcome.kind === 'signed-in') navigate(destination, { replace: true })
  }

  return (
    <Page title={t('login.title')}>
      {ended && (
        <p class="alert alert-info" role="status">
          {t(ENDED[ended])}
        </p>
      )}
      {step.kind === 'password' && <PasswordStep onOutcome={onOutcome} />}
      {registrationOpen() && (
        <p class="aside">
          {t('login.noAccount')} <Link href="/ui/register">{t('login.registerLink')}</Link>
        </p>
      )}
    </Page>
  )
}
