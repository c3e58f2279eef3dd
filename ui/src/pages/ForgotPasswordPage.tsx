import { useState } from 'preact/hooks'
import { requestPasswordReset } from '../api/email.ts'
import { ErrorAlert } from '../components/Alert.tsx'
import { Field } from '../components/Field.tsx'
import { Link } from '../components/Link.tsx'
import { Page } from '../components/Page.tsx'
import { useForm } from '../form.ts'
import { useI18n } from '../i18n/index.ts'

/**
 * /ui/forgot-password: asks for a link and code by email. The API answers the same whether or not the
 * account exists, so the page always shows the same confirmation: it must not tell who has an account.
 */
export function ForgotPasswordPage() {
  const { t } = useI18n()
  const [sent, setSent] = useState(false)
  const form = useForm({
    initial: { identifier: '' },
    validate: (values) => (values.identifier.trim() === '' ? { identifier: 'field.required' as const } : {}),
    submit: async (values) => {
      await requestPasswordReset(values.identifier.trim())
      setSent(true)
    },
  })
  return (
    <Page title={t('forgot.title')}>
      {sent ? (
        <div class="alert alert-ok" role="status">
          <p>{t('forgot.sent')}</p>
        </div>
      ) : (
        <>
          <p>{t('forgot.explain')}</p>
          <form ref={form.formRef} onSubmit={form.handleSubmit} noValidate>
            <ErrorAlert>{form.formError}</ErrorAlert>
            <Field
              label={t('field.usernameOrEmail')}
              name="identifier"
              autoComplete="username"
              value={form.values.identifier}
              onInput={form.set('identifier')}
              error={form.errors.identifier}
            />
            <div class="actions">
              <button type="submit" disabled={form.pending}>
                {t('forgot.submit')}
              </button>
            </div>
          </form>
        </>
      )}
      <p class="aside">
        <Link href="/ui/reset-password">{t('forgot.haveCode')}</Link>
      </p>
      <p class="aside">
        <Link href="/ui/login">{t('forgot.backToSignIn')}</Link>
      </p>
    </Page>
  )
}
