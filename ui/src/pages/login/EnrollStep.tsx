import { useEffect, useState } from 'preact/hooks'
import { confirmTotp, startTotpWithToken } from '../../api/mfa.ts'
import type { TotpEnrollment } from '../../api/types.ts'
import { ErrorAlert } from '../../components/Alert.tsx'
import { RecoveryCodes } from '../../components/RecoveryCodes.tsx'
import { TotpSetup } from '../../components/TotpSetup.tsx'
import { describeError } from '../../errors.ts'
import { useI18n } from '../../i18n/index.ts'

/**
 * When this server requires a second factor and the account has none, the right password earns only an
 * enrollment token: this step sets up the authenticator app with it, shows the recovery codes once,
 * then sends the person back to sign in, now with the code.
 */
export function EnrollStep(props: { enrollmentToken: string; password: string; onDone: () => void }) {
  const i18n = useI18n()
  const { t } = i18n
  const [enrollment, setEnrollment] = useState<TotpEnrollment | null>(null)
  const [codes, setCodes] = useState<string[] | null>(null)
  const [error, setError] = useState<string | undefined>(undefined)
  useEffect(() => {
    startTotpWithToken(props.enrollmentToken, props.password).then(setEnrollment, (caught: unknown) =>
      setError(describeError(caught, i18n)),
    )
  }, [props.enrollmentToken])
  return (
    <>
      <p>{t('enroll.explain')}</p>
      <ErrorAlert>{error}</ErrorAlert>
      {codes ? (
        <RecoveryCodes codes={codes} onDone={props.onDone} level={2} />
      ) : (
        enrollment && (
          <TotpSetup
            enrollment={enrollment}
            confirm={async (code) =>
              setCodes((await confirmTotp(code, props.enrollmentToken)).recovery_codes)
            }
          />
        )
      )}
    </>
  )
}
