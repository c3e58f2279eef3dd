import { useEffect } from 'preact/hooks'
import { register } from '../api/account.ts'
import { ErrorAlert } from '../components/Alert.tsx'
import { Field } from '../components/Field.tsx'
import { Link } from '../components/Link.tsx'
import { Page } from '../components/Page.tsx'
import { useForm } from '../form.ts'
import { useI18n } from '../i18n/index.ts'
import { navigate } from '../router.ts'
import { useSession } from '../session.ts'
import { emailRequired, registrationOpen } from '../settings.ts'
import { signInWithPassword } from '../signin.ts'

/** /ui/register: create an account (when registration is open), then sign in to it. */
export function RegisterPage() {
  const { t } = useI18n()
  const session = useSession()
  useEffect(() => {
    if (session) navigate('/ui/account', { replace: true })
  }, [session])
  const form = useForm({
    initial: { username: '', email: '', password: '', confirm: '' },
    fieldForCode: {
      username_taken: 'username',
      invalid_username: 'username',
      weak_password: 'password',
      email_taken: 'email',
    },
    validate: (values) => ({
      ...(values.username.trim() === '' ? { username: 'field.required' as const } : {}),
      ...(emailRequired() && values.email.trim() === '' ? { email: 'field.required' as const } : {}),
      ...(values.password === '' ? { password: 'field.required' as const } : {}),
      ...(values.confirm !== values.password ? { confirm: 'field.passwordsDiffer' as const } : {}),
    }),
    submit: async (values) => {
      const created = await register(values.username.trim(), values.password, values.email.trim())
      const outcome = await signInWithPassword(created.username, values.password)
      // A server that requires a second factor lets the new account in only after setting one up, which
      // the sign-in page walks through.
      navigate(outcome.kind === 'signed-in' ? '/ui/account' : '/ui/login', { replace: true })
    },
  })
  if (!registrationOpen()) {
    return (
      <Page title={t('register.title')}>
        <p>{t('register.closed')}</p>
        <p>
          <Link href="/ui/login">{t('register.signInLink')}</Link>
        </p>
      </Page>
    )
  }
  return (
    <Page title={t('register.title')}>
      <form ref={form.formRef} onSubmit={form.handleSubmit} noValidate>
        <ErrorAlert>{form.formError}</ErrorAlert>
        <Field
          label={t('field.username')}
          name="username"
          autoComplete="username"
          value={form.values.username}
          onInput={form.set('username')}
          error={form.errors.username}
        />
        <Field
          label={t('field.email')}
          name="email"
          type="email"
          inputMode="email"
          autoComplete="email"
          hint={t(emailRequired() ? 'register.emailRequiredHint' : 'register.emailHint')}
          value={form.values.email}
          onInput={form.set('email')}
          error={form.errors.email}
        />
        <Field
          label={t('field.password')}
          name="password"
          type="password"
          autoComplete="new-password"
          hint={t('field.passwordRules')}
          value={form.values.password}
          onInput={form.set('password')}
          error={form.errors.password}
        />
        <Field
          label={t('field.confirmPassword')}
          name="confirm"
          type="password"
          autoComplete="new-password"
          value={form.values.confirm}
          onInput={form.set('confirm')}
          error={form.errors.confirm}
        />
        <div class="actions">
          <button type="submit" disabled={form.pending}>
            {t('register.submit')}
          </button>
        </div>
      </form>
      <p class="aside">
        {t('register.haveAccount')} <Link href="/ui/login">{t('register.signInLink')}</Link>
      </p>
    </Page>
  )
}
