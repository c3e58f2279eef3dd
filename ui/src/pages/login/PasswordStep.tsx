import { ErrorAlert } from '../../components/Alert.tsx'
import { Field } from '../../components/Field.tsx'
import { Link } from '../../components/Link.tsx'
import { useForm } from '../../form.ts'
import { useI18n } from '../../i18n/index.ts'
import { signInWithPassword, type SignInOutcome } from '../../signin.ts'

/**
 * The first sign-in step: username (or verified email address) and password. A wrong password and an unknown name get the same
 * answer from the API, so the error is shown for the form, never as "this username does not exist".
 */
export function PasswordStep({ onOutcome }: { onOutcome: (outcome: SignInOutcome) => void }) {
  const { t } = useI18n()
  const form = useForm({
    initial: { username: '', password: '' },
    validate: (values) => ({
      ...(values.username.trim() === '' ? { username: 'field.required' as const } : {}),
      ...(values.password === '' ? { password: 'field.required' as const } : {}),
    }),
    submit: async (values) => onOutcome(await signInWithPassword(values.username.trim(), values.password)),
  })
  return (
    <form ref={form.formRef} onSubmit={form.handleSubmit} noValidate>
      <ErrorAlert>{form.formError}</ErrorAlert>
      <Field
        label={t('field.usernameOrEmail')}
        name="username"
        autoComplete="username"
        value={form.values.username}
        onInput={form.set('username')}
        error={form.errors.username}
      />
      <Field
        label={t('field.password')}
        name="password"
        type="password"
        autoComplete="current-password"
        value={form.values.password}
        onInput={form.set('password')}
        error={form.errors.password}
      />
      <p class="field-link">
        <Link href="/ui/forgot-password">{t('login.forgotLink')}</Link>
      </p>
      <div class="actions">
        <button type="submit" disabled={form.pending}>
          {t('login.submit')}
        </button>
      </div>
    </form>
  )
}
