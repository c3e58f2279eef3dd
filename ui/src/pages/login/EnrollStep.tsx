import { useEffect, useState } from 'preact/hooks'
import { confirmEnrollment, startEnrollment } from '../../api/mfa.ts'
import type { TokenResponse, TotpEnrollment } from '../../api/types.ts'
import { ErrorAlert } from '../../components/Alert.tsx'
import { RecoveryCodes } from '../../components/RecoveryCodes.tsx'
import { TotpSetup } from '../../components/TotpSetup.tsx'
import { describeError } from '../../errors.ts'
import { useI18n } from '../../i18n/index.ts'
import { startSession, type SignInOutcome } from '../../signin.ts'

/**
 * When this server requires a second factor and the account has none, the right password earns only an
 * enrollment token: this step sets up the authenticator app with it. The first code signs the person
 * in; the session starts once they have seen their recovery codes, shown this once.
 */
export function EnrollStep(props: { mfaToken: string; onOutcome: (outcome: SignInOutcome) => void }) {
  const i18n = useI18n()
  const [enrollment, setEnrollment] = useState<TotpEnrollment | null>(null)
  const [finished, setFinished] = useState<{ tokens: TokenResponse; codes: string[] } | null>(null)
  const [error, setError] = useState<string | undefined>(undefined)
  useEffect(() => {
    startEnrollment(props.mfaToken).then(setEnrollment, (caught: unknown) =>
      setError(describeError(caught, i18n)),
    )
  }, [props.mfaToken])
  const done = async () => {
    if (!finished) return
    try {
      props.onOutcome(await startSession(finished.tokens))
    } catch (caught) {
      setError(describeError(caught, i18n))
    }
  }
  return (
    <>
      <p>{i18n.t('enroll.explain')}</p>
      <ErrorAlert>{error}</ErrorAlert>
      {finished ? (
        <RecoveryCodes codes={finished.codes} onDone={() => void done()} level={2} />
      ) : (
        enrollment && (
          <TotpSetup
            enrollment={enrollment}
            focus
            confirm={async (code) => {
              const { recovery_codes, ...tokens } = await confirmEnrollment(props.mfaToken, code)
              setFinished({ tokens, codes: recovery_codes })
            }}
          />
        )
      )}
    </>
  )
}
