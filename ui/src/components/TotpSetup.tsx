import { useEffect } from 'preact/hooks'
import type { TotpEnrollment } from '../api/types.ts'
import { asCodeCheck } from '../code-errors.ts'
import { useForm } from '../form.ts'
import { useI18n } from '../i18n/index.ts'
import { ErrorAlert } from './Alert.tsx'
import { Field } from './Field.tsx'
import { QrCode } from './QrCode.tsx'

/** Accepts "123 456" as typed from an app that groups the digits. */
export const digitsOnly = (value: string) => value.replace(/\s+/g, '')

/**
 * The middle of a TOTP enrollment: the QR code to scan, the secret to type instead, and the first code
 * from the app, which switches TOTP on. `confirm` returns the recovery codes.
 */
export function TotpSetup(props: {
  enrollment: TotpEnrollment
  confirm: (code: string) => Promise<void>
  onCancel?: () => void
  /** Put the focus in the code field (when this replaces the form the person was in). */
  focus?: boolean
}) {
  const { t } = useI18n()
  const form = useForm({
    initial: { code: '' },
    fieldForCode: { invalid_code: 'code', validation_failed: 'code', invalid_mfa_token: 'code' },
    validate: (values) =>
      /^\d{6}$/.test(digitsOnly(values.code)) ? {} : { code: 'totp.codeFormat' as const },
    submit: async (values) => asCodeCheck(() => props.confirm(digitsOnly(values.code))),
  })
  useEffect(() => {
    if (props.focus) form.formRef.current?.querySelector('input')?.focus()
  }, [])
  return (
    <div class="totp-setup">
      <p>{t('totp.scan')}</p>
      <QrCode svg={props.enrollment.qr_svg} label={t('totp.qrLabel')} />
      <p>
        {t('totp.orType')} <code class="secret">{props.enrollment.secret}</code>
      </p>
      <form ref={form.formRef} onSubmit={form.handleSubmit} noValidate>
        <ErrorAlert>{form.formError}</ErrorAlert>
        <Field
          label={t('totp.code')}
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          hint={t('totp.codeHint')}
          value={form.values.code}
          onInput={form.set('code')}
          error={form.errors.code}
        />
        <div class="actions">
          <button type="submit" disabled={form.pending}>
            {t('totp.confirm')}
          </button>
          {props.onCancel && (
            <button type="button" class="secondary" onClick={props.onCancel}>
              {t('common.cancel')}
            </button>
          )}
        </div>
      </form>
    </div>
  )
}
