import { useState } from 'preact/hooks'
import { endSessionById, listSessions } from '../api/account.ts'
import type { SecondFactorMethod } from '../api/types.ts'
import { useI18n } from '../i18n/index.ts'
import { SecondFactorStep } from '../pages/login/SecondFactorStep.tsx'
import { currentSession } from '../session.ts'
import { signInWithPassword, type SignInOutcome } from '../signin.ts'
import { finishStepUp, useStepUpOpen } from '../step-up.ts'
import { ErrorAlert } from './Alert.tsx'
import { Dialog } from './Dialog.tsx'
import { Field } from './Field.tsx'
import { useForm } from '../form.ts'

/**
 * The step-up prompt, rendered once by the app and opened by withStepUp(). The person signs in again as
 * themselves (password, then their second factor when they have one) through the same /login and
 * /login/mfa as the sign-in page; that gives a session with a fresh `auth_time`, which replaces this
 * browser's session, and the replaced session is then ended so it does not linger.
 */
export function StepUpDialog() {
  const open = useStepUpOpen()
  const { t } = useI18n()
  const [factor, setFactor] = useState<{ mfaToken: string; methods: SecondFactorMethod[] } | null>(null)
  const [previous, setPrevious] = useState<string | undefined>(undefined)
  const close = (proven: boolean) => {
    setFactor(null)
    form.reset()
    finishStepUp(proven)
  }
  const finished = async (outcome: SignInOutcome, replaced: string | undefined) => {
    if (outcome.kind === 'second-factor') {
      setPrevious(replaced)
      setFactor(outcome)
      return
    }
    if (outcome.kind !== 'signed-in') return
    if (replaced !== undefined) await endSessionById(replaced).catch(() => undefined)
    close(true)
  }
  const form = useForm({
    initial: { password: '' },
    fieldForCode: { invalid_credentials: 'password' },
    validate: (values) => (values.password === '' ? { password: 'field.required' as const } : {}),
    submit: async (values) => {
      const session = currentSession()
      if (!session) return close(false)
      const replaced = (await listSessions()).find((item) => item.current)?.id
      await finished(await signInWithPassword(session.user.username, values.password), replaced)
    },
  })
  return (
    <Dialog open={open} title={t('stepUp.title')} onClose={() => close(false)}>
      <p>{t('stepUp.explain')}</p>
      {factor ? (
        <SecondFactorStep
          mfaToken={factor.mfaToken}
          methods={factor.methods}
          onOutcome={(outcome) => void finished(outcome, previous)}
          onRestart={() => setFactor(null)}
        />
      ) : (
        <form ref={form.formRef} onSubmit={form.handleSubmit} noValidate>
          <ErrorAlert>{form.formError}</ErrorAlert>
          <Field
            label={t('field.password')}
            name="password"
            type="password"
            autoComplete="current-password"
            value={form.values.password}
            onInput={form.set('password')}
            error={form.errors.password}
          />
          <div class="actions">
            <button type="submit" disabled={form.pending}>
              {t('stepUp.submit')}
            </button>
            <button type="button" class="secondary" onClick={() => close(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  )
}
