import { useEffect, useState } from 'preact/hooks'
import type { SecondFactorMethod } from '../../api/types.ts'
import { ErrorAlert } from '../../components/Alert.tsx'
import { Field } from '../../components/Field.tsx'
import { digitsOnly } from '../../components/TotpSetup.tsx'
import { asCodeCheck } from '../../code-errors.ts'
import { describeError } from '../../errors.ts'
import { useForm } from '../../form.ts'
import { useI18n } from '../../i18n/index.ts'
import { passkeysSupported } from '../../passkey.ts'
import { signInWithCode, signInWithPasskey, type SignInOutcome } from '../../signin.ts'

type CodeKind = 'totp' | 'recovery_code'

/**
 * The second sign-in step, after a right password on an account with a factor: the authenticator app's
 * code, or a recovery code, or a passkey. The one-time `mfa_token` lives in this component only; the
 * server makes it single-use and short-lived, so "start over" is the way back after a wrong turn.
 */
export function SecondFactorStep(props: {
  mfaToken: string
  methods: SecondFactorMethod[]
  onOutcome: (outcome: SignInOutcome) => void
  onRestart: () => void
}) {
  const i18n = useI18n()
  const { t } = i18n
  const hasTotp = props.methods.includes('totp')
  const [kind, setKind] = useState<CodeKind>(hasTotp ? 'totp' : 'recovery_code')
  const [passkeyError, setPasskeyError] = useState<string | undefined>(undefined)
  const [passkeyPending, setPasskeyPending] = useState(false)
  const form = useForm({
    initial: { code: '' },
    fieldForCode: { invalid_code: 'code', validation_failed: 'code' },
    validate: (values) =>
      values.code.trim() === ''
        ? { code: 'field.required' as const }
        : kind === 'totp' && !/^\d{6}$/.test(digitsOnly(values.code))
          ? { code: 'totp.codeFormat' as const }
          : {},
    submit: async (values) => {
      const proof =
        kind === 'totp' ? { code: digitsOnly(values.code) } : { recovery_code: values.code.trim() }
      props.onOutcome(await asCodeCheck(() => signInWithCode(props.mfaToken, proof)))
    },
  })
  const usePasskey = async () => {
    setPasskeyPending(true)
    setPasskeyError(undefined)
    try {
      props.onOutcome(await signInWithPasskey(props.mfaToken))
    } catch (caught) {
      setPasskeyError(describeError(caught, i18n))
    } finally {
      setPasskeyPending(false)
    }
  }
  // The step replaced the password form under the person's focus: put it in the code field.
  useEffect(() => form.formRef.current?.querySelector('input')?.focus(), [kind])
  const switchKind = (next: CodeKind) => {
    form.reset()
    setKind(next)
  }
  const offersCode = hasTotp || props.methods.includes('recovery_code')
  return (
    <>
      <p>{t('mfa.explain')}</p>
      {offersCode && (
        <form ref={form.formRef} onSubmit={form.handleSubmit} noValidate>
          <ErrorAlert>{form.formError}</ErrorAlert>
          {kind === 'totp' ? (
            <Field
              key="totp"
              label={t('mfa.totpLabel')}
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              hint={t('totp.codeHint')}
              value={form.values.code}
              onInput={form.set('code')}
              error={form.errors.code}
            />
          ) : (
            <Field
              key="recovery"
              label={t('mfa.recoveryLabel')}
              name="recovery_code"
              autoComplete="off"
              hint={t('mfa.recoveryHint')}
              value={form.values.code}
              onInput={form.set('code')}
              error={form.errors.code}
            />
          )}
          <div class="actions">
            <button type="submit" disabled={form.pending}>
              {t('mfa.verify')}
            </button>
            {hasTotp && (
              <button
                type="button"
                class="secondary"
                onClick={() => switchKind(kind === 'totp' ? 'recovery_code' : 'totp')}
              >
                {t(kind === 'totp' ? 'mfa.useRecovery' : 'mfa.useTotp')}
              </button>
            )}
          </div>
        </form>
      )}
      {props.methods.includes('webauthn') && passkeysSupported() && (
        <div class="alternative">
          <ErrorAlert>{passkeyError}</ErrorAlert>
          <button type="button" class="secondary" disabled={passkeyPending} onClick={() => void usePasskey()}>
            {t('mfa.usePasskey')}
          </button>
        </div>
      )}
      <p class="aside">
        <button type="button" class="link-button" onClick={props.onRestart}>
          {t('mfa.restart')}
        </button>
      </p>
    </>
  )
}
