import { resetPassword } from '../../api/admin.ts'
import type { AdminUserDetail } from '../../api/types.ts'
import { ErrorAlert } from '../../components/Alert.tsx'
import { Field } from '../../components/Field.tsx'
import { useForm } from '../../form.ts'
import { useI18n } from '../../i18n/index.ts'

/** Sets a new password for a user, which also signs them out everywhere. */
export function UserPasswordForm(props: {
  user: AdminUserDetail
  onChanged: (message: string) => Promise<void>
}) {
  const { t } = useI18n()
  const form = useForm({
    initial: { new_password: '' },
    fieldForCode: { weak_password: 'new_password' },
    validate: (values) => (values.new_password === '' ? { new_password: 'field.required' as const } : {}),
    submit: async (values) => {
      const { revoked_sessions } = await resetPassword(props.user.id, values.new_password)
      form.reset()
      await props.onChanged(t('user.passwordSet', { count: revoked_sessions }))
    },
  })
  return (
    <section aria-labelledby="user-password">
      <h2 id="user-password">{t('user.passwordHeading')}</h2>
      <p class="hint">{t('user.passwordNote')}</p>
      <form ref={form.formRef} onSubmit={form.handleSubmit} noValidate class="inline-form">
        <ErrorAlert>{form.formError}</ErrorAlert>
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
        <div class="actions">
          <button type="submit" disabled={form.pending}>
            {t('user.passwordSubmit')}
          </button>
        </div>
      </form>
    </section>
  )
}
