import { useState } from 'preact/hooks'
import { changeEmail, sendVerification } from '../../api/email.ts'
import type { Profile } from '../../api/types.ts'
import { ErrorAlert, StatusMessage } from '../../components/Alert.tsx'
import { Field } from '../../components/Field.tsx'
import { describeError } from '../../errors.ts'
import { useForm } from '../../form.ts'
import { useI18n } from '../../i18n/index.ts'
import { updateUser } from '../../session.ts'
import { withStepUp } from '../../step-up.ts'
import { EmailCodeForm } from './EmailCodeForm.tsx'

/**
 * The email address: its verification state, sending the verification message, entering its code, and
 * changing the address (with the current password; the change waits for the new address's confirmation,
 * by its link or by the code entered here).
 */
export function EmailSection({ user }: { user: Profile }) {
  const i18n = useI18n()
  const { t } = i18n
  const [done, setDone] = useState<string | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const [sending, setSending] = useState(false)
  const [awaitingCode, setAwaitingCode] = useState(false)
  const form = useForm({
    initial: { email: '', password: '' },
    fieldForCode: { invalid_credentials: 'password', email_taken: 'email' },
    validate: (values) => ({
      ...(values.email.trim() === '' ? { email: 'field.required' as const } : {}),
      ...(values.password === '' ? { password: 'field.required' as const } : {}),
    }),
    submit: async (values) => {
      setDone(undefined)
      const email = values.email.trim()
      await withStepUp(() => changeEmail(email, values.password))
      form.reset()
      setAwaitingCode(true)
      setDone(t('email.changeSent', { email }))
    },
  })
  const send = async () => {
    setSending(true)
    setError(undefined)
    setDone(undefined)
    try {
      await sendVerification()
      setAwaitingCode(true)
      setDone(t('email.verificationSent', { email: user.email ?? '' }))
    } catch (caught) {
      setError(describeError(caught, i18n))
    } finally {
      setSending(false)
    }
  }
  const verified = (profile: Profile) => {
    updateUser({ ...user, ...profile })
    setAwaitingCode(false)
    setDone(t('email.verified', { email: profile.email ?? '' }))
  }
  const hasEmail = typeof user.email === 'string' && user.email !== ''
  return (
    <section aria-labelledby="email-heading">
      <h2 id="email-heading">{t('email.heading')}</h2>
      <dl class="facts">
        <dt>{t('field.email')}</dt>
        <dd>{hasEmail ? user.email : t('email.none')}</dd>
        {hasEmail && (
          <>
            <dt>{t('email.state')}</dt>
            <dd>
              <span class={user.email_verified ? 'badge badge-ok' : 'badge badge-warn'}>
                {t(user.email_verified ? 'email.verifiedBadge' : 'email.unverifiedBadge')}
              </span>
            </dd>
          </>
        )}
      </dl>
      <ErrorAlert>{error}</ErrorAlert>
      {hasEmail && !user.email_verified && (
        <div class="actions">
          <button type="button" class="secondary" disabled={sending} onClick={() => void send()}>
            {t('email.sendVerification')}
          </button>
        </div>
      )}
      <StatusMessage>{done}</StatusMessage>
      {(awaitingCode || (hasEmail && !user.email_verified)) && <EmailCodeForm onVerified={verified} />}
      <h3>{t(hasEmail ? 'email.changeHeading' : 'email.addHeading')}</h3>
      <p class="hint">{t('email.changeNote')}</p>
      <form ref={form.formRef} onSubmit={form.handleSubmit} noValidate>
        <ErrorAlert>{form.formError}</ErrorAlert>
        <Field
          label={t('email.newAddress')}
          name="email"
          type="email"
          inputMode="email"
          autoComplete="email"
          value={form.values.email}
          onInput={form.set('email')}
          error={form.errors.email}
        />
        <Field
          label={t('field.currentPassword')}
          name="password"
          type="password"
          autoComplete="current-password"
          value={form.values.password}
          onInput={form.set('password')}
          error={form.errors.password}
        />
        <div class="actions">
          <button type="submit" disabled={form.pending}>
            {t('email.changeSubmit')}
          </button>
        </div>
      </form>
    </section>
  )
}
