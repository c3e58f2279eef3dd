import { verifyEmail } from '../../api/email.ts'
import type { Profile } from '../../api/types.ts'
import { ErrorAlert } from '../../components/Alert.tsx'
import { Field } from '../../components/Field.tsx'
import { digitsOnly } from '../../components/TotpSetup.tsx'
import { useForm } from '../../form.ts'
import { useI18n } from '../../i18n/index.ts'

/** The 6-digit code from a verification message, entered by the signed-in person. */
export function EmailCodeForm({ onVerified }: { onVerified: (profile: Profile) => void }) {
  const { t } = useI18n()
  const form = useForm({
    initial: { code: '' },
    fieldForCode: { invalid_or_expired_token: 'code', validation_failed: 'code' },
    validate: (values) =>
      /^\d{6}$/.test(digitsOnly(values.code)) ? {} : { code: 'email.codeFormat' as const },
    submit: async (values) => {
      onVerified(await verifyEmail({ code: digitsOnly(values.code) }))
      form.reset()
    },
  })
  return (
    <form ref={form.formRef} onSubmit={form.handleSubmit} noValidate class="inline-form">
      <ErrorAlert>{form.formError}</ErrorAlert>
      <Field
        label={t('email.code')}
        name="code"
        inputMode="numeric"
        autoComplete="one-time-code"
        value={form.values.code}
        onInput={form.set('code')}
        error={form.errors.code}
      />
      <div class="actions">
        <button type="submit" disabled={form.pending}>
          {t('email.verifySubmit')}
        </button>
      </div>
    </form>
  )
}
