import { useEffect, useState } from 'preact/hooks'
import type { SecondFactorMethod } from '../api/types.ts'
import { Link } from '../components/Link.tsx'
import { Page } from '../components/Page.tsx'
import { useI18n, type MessageKey } from '../i18n/index.ts'
import { navigate, safeNextPath } from '../router.ts'
import { takeEndReason, useSession, type EndReason } from '../session.ts'
import { registrationOpen } from '../settings.ts'
import type { SignInOutcome } from '../signin.ts'
import { EnrollStep } from './login/EnrollStep.tsx'
import { PasskeySignIn } from './login/PasskeySignIn.tsx'
import { PasswordStep } from './login/PasswordStep.tsx'
import { SecondFactorStep } from './login/SecondFactorStep.tsx'

/**
 * Where the sign-in is. Each step is its own component that reports an outcome; the outcome names the
 * next step: the second factor after a right password, enrollment when policy requires a factor the
 * account lacks.
 */
type LoginStep =
  | { kind: 'password' }
  | { kind: 'second-factor'; mfaToken: string; methods: SecondFactorMethod[] }
  | { kind: 'enroll'; mfaToken: string }

const ENDED: Record<EndReason, MessageKey> = {
  'signed-out': 'login.ended.signedOut',
  expired: 'login.ended.expired',
  deleted: 'login.ended.deleted',
}

/** /ui/login: sign in, then go to `next` (one of our pages) or the account page. */
export function LoginPage({ next }: { next: string | null }) {
  const { t } = useI18n()
  const session = useSession()
  const [notice, setNotice] = useState<MessageKey | null>(() => {
    const ended = takeEndReason()
    return ended ? ENDED[ended] : null
  })
  const [step, setStep] = useState<LoginStep>({ kind: 'password' })
  const destination = safeNextPath(next) ?? '/ui/account'

  useEffect(() => {
    if (session) navigate(destination, { replace: true })
  }, [session, destination])

  const onOutcome = (outcome: SignInOutcome) => {
    setNotice(null)
    if (outcome.kind === 'signed-in') navigate(destination, { replace: true })
    else setStep(outcome)
  }
  const restart = () => {
    setNotice(null)
    setStep({ kind: 'password' })
  }

  return (
    <Page
      title={t(
        step.kind === 'second-factor' ? 'mfa.title' : step.kind === 'enroll' ? 'enroll.title' : 'login.title',
      )}
    >
      {notice && (
        <p class="alert alert-info" role="status">
          {t(notice)}
        </p>
      )}
      {step.kind === 'password' && (
        <>
          <PasswordStep onOutcome={onOutcome} />
          <PasskeySignIn onOutcome={onOutcome} />
          {registrationOpen() && (
            <p class="aside">
              {t('login.noAccount')} <Link href="/ui/register">{t('login.registerLink')}</Link>
            </p>
          )}
        </>
      )}
      {step.kind === 'second-factor' && (
        <SecondFactorStep
          mfaToken={step.mfaToken}
          methods={step.methods}
          onOutcome={onOutcome}
          onRestart={restart}
        />
      )}
      {step.kind === 'enroll' && <EnrollStep mfaToken={step.mfaToken} onOutcome={onOutcome} />}
    </Page>
  )
}
