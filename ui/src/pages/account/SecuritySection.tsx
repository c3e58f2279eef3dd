import { useState } from 'preact/hooks'
import { changePassword } from '../../api/account.ts'
import { ErrorAlert, StatusMessage } from '../../components/Alert.tsx'
import { Field } from '../../components/Field.tsx'
import { useForm } from '../../form.ts'
import { useI18n } from '../../i18n/index.ts'
import { withStepUp } from '../../step-up.ts'

/**
 * Security: the password change. The second factors (the authenticator app with its recovery codes, and
 * passkeys) follow as sections of their own, so each is a landmark of its own.
 */
export function SecuritySection(props: { onChanged: () => Promise<void> }) {
  const { t } = useI18n()
  const [done, setDone] = useState<string | undefined>(undefined)
  const form = useForm({
    initial: { current_password: '', new_password: '', confirm: '' },
    fieldForCode: { invalid_credentials: 'current_password', weak_password: 'new_password' },
    validate: (values) => ({
      ...(values.current_password === '' ? { current_password: 'field.required' as const } : {}),
      ...(values.new_password === '' ? { new_password: 'field.required' as const } : {}),
      ...(values.confirm !== values.new_password ? { confirm: 'field.passwordsDiffer' as const } : {}),
    }),
    submit: async (values) => {
      setDone(undefined)
      const { revoked_sessions } = await withStepUp(() =>
        changePassword(values.current_password, values.new_password),
      )
      form.reset()
      setDone(t('security.passwordChanged', { count: revoked_sessions }))
      await props.onChanged()
    },
  })
  return (
    <section aria-labelledby="security-heading">
      <h2 id="security-heading">{t('security.heading')}</h2>
      <h3>{t('security.passwordHeading')}</h3>
      <p class="hint">{t('security.passwordNote')}</p>
      <form ref={form.formRef} onSubmit={form.handleSubmit} noValidate>
        <ErrorAlert>{form.formError}</ErrorAlert>
        <Field
          label={t('field.currentPassword')}
          name="current_password"
          type="password"
          autoComplete="current-password"
          value={form.values.current_password}
          onInput={form.set('current_password')}
          error={form.errors.current_password}
        />
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
            {t('security.passwordSubmit')}
          </button>
        </div>
        <StatusMessage>{done}</StatusMessage>
      </form>
    </section>
  )
}
