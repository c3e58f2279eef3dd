import { useState } from 'preact/hooks'
import { resetPassword, type ResetProof } from '../api/email.ts'
import { ErrorAlert } from '../components/Alert.tsx'
import { Field } from '../components/Field.tsx'
import { Link } from '../components/Link.tsx'
import { Page } from '../components/Page.tsx'
import { digitsOnly } from '../components/TotpSetup.tsx'
import { useFragmentToken } from '../fragment.ts'
import { useForm } from '../form.ts'
import { useI18n } from '../i18n/index.ts'

/**
 * /ui/reset-password: a new password, proven by the emailed link's token (read from the fragment) or by
 * the address and the 6-digit code. Opening the link does nothing by itself (mail scanners open links
 * too): only pressing the button sends the POST. A reset signs nobody in, so the page then points to
 * the sign-in page.
 */
export function ResetPasswordPage() {
  const { t } = useI18n()
  const token = useFragmentToken()
  const [done, setDone] = useState(false)
  const form = useForm({
    initial: { email: '', code: '', new_password: '', confirm: '' },
    fieldForCode: {
      weak_password: 'new_password',
      invalid_or_expired_token: token === undefined ? 'code' : undefined,
    },
    validate: (values) => ({
      ...(token === undefined && values.email.trim() === '' ? { email: 'field.required' as const } : {}),
      ...(token === undefined && !/^\d{6}$/.test(digitsOnly(values.code))
        ? { code: 'email.codeFormat' as const }
        : {}),
      ...(values.new_password === '' ? { new_password: 'field.required' as const } : {}),
      ...(values.confirm !== values.new_password ? { confirm: 'field.passwordsDiffer' as const } : {}),
    }),
    submit: async (values) => {
      const proof: ResetProof =
        token === undefined ? { email: values.email.trim(), code: digitsOnly(values.code) } : { token }
      await resetPassword(proof, values.new_password)
      setDone(true)
    },
  })
  if (done) {
    return (
      <Page title={t('reset.title')}>
        <div class="alert alert-ok" role="status">
          <p>{t('reset.done')}</p>
        </div>
        <p>
          <Link href="/ui/login">{t('reset.signIn')}</Link>
        </p>
      </Page>
    )
  }
  return (
    <Page title={t('reset.title')}>
      <p>{t(token === undefined ? 'reset.explainCode' : 'reset.explainLink')}</p>
      <form ref={form.formRef} onSubmit={form.handleSubmit} noValidate>
        <ErrorAlert>{form.formError}</ErrorAlert>
        {token === undefined && (
          <>
            <Field
              label={t('field.email')}
              name="email"
              type="email"
              inputMode="email"
              autoComplete="email"
              value={form.values.email}
              onInput={form.set('email')}
              error={form.errors.email}
            />
            <Field
              label={t('email.code')}
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              hint={t('email.codeHint')}
              value={form.values.code}
              onInput={form.set('code')}
              error={form.errors.code}
            />
          </>
        )}
        <Field
          label={t('field.newPassword')}
          name="new_password"
          type="password"
          autoComplete="new-password"
          hint={t('field.passwordRules')}
          value={form.values.new_password}
          onInput={form.set('new_password')}
          error={form.errors.new_password}
        />
        <Field
          label={t('field.confirmNewPassword')}
          name="confirm"
          type="password"
          autoComplete="new-password"
          value={form.values.confirm}
          onInput={form.set('confirm')}
          error={form.errors.confirm}
        />
        <div class="actions">
          <button type="submit" disabled={form.pending}>
            {t('reset.submit')}
          </button>
        </div>
      </form>
      <p class="aside">
        <Link href="/ui/forgot-password">{t('reset.newLink')}</Link>
      </p>
    </Page>
  )
}
