import { useState } from 'preact/hooks'
import { ErrorAlert } from '../../components/Alert.tsx'
import { describeError } from '../../errors.ts'
import { useI18n } from '../../i18n/index.ts'
import { passkeysSupported } from '../../passkey.ts'
import { signInWithPasskey, type SignInOutcome } from '../../signin.ts'

/**
 * "Sign in with a passkey": passwordless, for a passkey stored on the device (a discoverable credential
 * with user verification). The browser asks which passkey to use; no username is typed. Not shown in a
 * browser without WebAuthn.
 */
export function PasskeySignIn({ onOutcome }: { onOutcome: (outcome: SignInOutcome) => void }) {
  const i18n = useI18n()
  const [error, setError] = useState<string | undefined>(undefined)
  const [pending, setPending] = useState(false)
  if (!passkeysSupported()) return null
  const start = async () => {
    setPending(true)
    setError(undefined)
    try {
      onOutcome(await signInWithPasskey())
    } catch (caught) {
      setError(describeError(caught, i18n))
    } finally {
      setPending(false)
    }
  }
  return (
    <div class="alternative">
      <p class="separator">{i18n.t('login.or')}</p>
      <ErrorAlert>{error}</ErrorAlert>
      <button type="button" class="secondary wide" disabled={pending} onClick={() => void start()}>
        {i18n.t('login.passkey')}
      </button>
    </div>
  )
}
