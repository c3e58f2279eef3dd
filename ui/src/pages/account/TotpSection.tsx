import { useState } from 'preact/hooks'
import { confirmTotp, disableTotp, regenerateRecoveryCodes, startTotp } from '../../api/mfa.ts'
import type { FactorSummary, TotpEnrollment } from '../../api/types.ts'
import { ErrorAlert, StatusMessage } from '../../components/Alert.tsx'
import { Dialog } from '../../components/Dialog.tsx'
import { Field } from '../../components/Field.tsx'
import { RecoveryCodes } from '../../components/RecoveryCodes.tsx'
import { digitsOnly, TotpSetup } from '../../components/TotpSetup.tsx'
import { describeError } from '../../errors.ts'
import { useForm } from '../../form.ts'
import { useI18n } from '../../i18n/index.ts'
import { withStepUp } from '../../step-up.ts'

type Stage =
  { kind: 'idle' } | { kind: 'setup'; enrollment: TotpEnrollment } | { kind: 'codes'; codes: string[] }

/**
 * The authenticator app (TOTP): set it up (password, then the QR code, then the first code), see the
 * recovery codes once, make new ones, or turn it off (password and a current code).
 */
export function TotpSection(props: { factors: FactorSummary; onChanged: () => Promise<void> }) {
  const i18n = useI18n()
  const { t } = i18n
  const [stage, setStage] = useState<Stage>({ kind: 'idle' })
  const [done, setDone] = useState<string | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const [disabling, setDisabling] = useState(false)
  const start = useForm({
    initial: { password: '' },
    fieldForCode: { invalid_credentials: 'password' },
    validate: (values) => (values.password === '' ? { password: 'field.required' as const } : {}),
    submit: async (values) => {
      setDone(undefined)
      const enrollment = await withStepUp(() => startTotp(values.password))
      start.reset()
      setStage({ kind: 'setup', enrollment })
    },
  })
  const off = useForm({
    initial: { password: '', code: '' },
    validate: (values) => ({
      ...(values.password === '' ? { password: 'field.required' as const } : {}),
      ...(/^\d{6}$/.test(digitsOnly(values.code)) ? {} : { code: 'totp.codeFormat' as const }),
    }),
    submit: async (values) => {
      await withStepUp(() => disableTotp(values.password, digitsOnly(values.code)))
      closeDisable()
      setDone(t('totp.disabled'))
      await props.onChanged()
    },
  })
  const closeDisable = () => {
    off.reset()
    setDisabling(false)
  }
  const regenerate = async () => {
    setError(undefined)
    setDone(undefined)
    try {
      const { recovery_codes } = await withStepUp(regenerateRecoveryCodes)
      setStage({ kind: 'codes', codes: recovery_codes })
    } catch (caught) {
      setError(describeError(caught, i18n))
    }
  }
  const finish = async () => {
    setStage({ kind: 'idle' })
    await props.onChanged()
  }
  const enabled = props.factors.totp
  return (
    <section aria-labelledby="totp-heading">
      <h2 id="totp-heading">{t('totp.heading')}</h2>
      <p>
        <span class={enabled ? 'badge badge-ok' : 'badge'}>{t(enabled ? 'totp.on' : 'totp.off')}</span>{' '}
        {enabled && t('totp.remaining', { count: props.factors.recovery_codes_remaining })}
      </p>
      <ErrorAlert>{error}</ErrorAlert>
      {stage.kind === 'setup' && (
        <TotpSetup
          enrollment={stage.enrollment}
          focus
          confirm={async (code) =>
            setStage({ kind: 'codes', codes: (await confirmTotp(code)).recovery_codes })
          }
          onCancel={() => setStage({ kind: 'idle' })}
        />
      )}
      {stage.kind === 'codes' && <RecoveryCodes codes={stage.codes} onDone={() => void finish()} />}
      {stage.kind === 'idle' && !enabled && (
        <form ref={start.formRef} onSubmit={start.handleSubmit} noValidate>
          <p class="hint">{t('totp.explain')}</p>
          <ErrorAlert>{start.formError}</ErrorAlert>
          <Field
            label={t('field.currentPassword')}
            name="password"
            type="password"
            autoComplete="current-password"
            value={start.values.password}
            onInput={start.set('password')}
            error={start.errors.password}
          />
          <div class="actions">
            <button type="submit" disabled={start.pending}>
              {t('totp.start')}
            </button>
          </div>
        </form>
      )}
      {stage.kind === 'idle' && enabled && (
        <div class="actions">
          <button type="button" class="secondary" onClick={() => void regenerate()}>
            {t('totp.regenerate')}
          </button>
          <button type="button" class="danger" onClick={() => setDisabling(true)}>
            {t('totp.disable')}
          </button>
        </div>
      )}
      <StatusMessage>{done}</StatusMessage>
      <Dialog open={disabling} title={t('totp.disableTitle')} onClose={closeDisable}>
        <form ref={off.formRef} onSubmit={off.handleSubmit} noValidate>
          <p>{t('totp.disableWarning')}</p>
          <ErrorAlert>{off.formError}</ErrorAlert>
          <Field
            label={t('field.currentPassword')}
            name="password"
            type="password"
            autoComplete="current-password"
            value={off.values.password}
            onInput={off.set('password')}
            error={off.errors.password}
          />
          <Field
            label={t('totp.code')}
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            value={off.values.code}
            onInput={off.set('code')}
            error={off.errors.code}
          />
          <div class="actions">
            <button type="submit" class="danger" disabled={off.pending}>
              {t('totp.disableConfirm')}
            </button>
            <button type="button" class="secondary" onClick={closeDisable}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      </Dialog>
    </section>
  )
}
