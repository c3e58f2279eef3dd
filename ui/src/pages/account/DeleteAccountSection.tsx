import { useState } from 'preact/hooks'
import { deleteAccount } from '../../api/account.ts'
import { endBrowserSession } from '../../browser-session.ts'
import { ErrorAlert } from '../../components/Alert.tsx'
import { Dialog } from '../../components/Dialog.tsx'
import { Field } from '../../components/Field.tsx'
import { useForm } from '../../form.ts'
import { useI18n } from '../../i18n/index.ts'
import { navigate } from '../../router.ts'
import { endSession } from '../../session.ts'
import { withStepUp } from '../../step-up.ts'

/** Deleting the account: a dialog that says what goes, and asks for the password as confirmation. */
export function DeleteAccountSection() {
  const { t } = useI18n()
  const [open, setOpen] = useState(false)
  const form = useForm({
    initial: { password: '' },
    fieldForCode: { invalid_credentials: 'password' },
    validate: (values) => (values.password === '' ? { password: 'field.required' as const } : {}),
    submit: async (values) => {
      await withStepUp(() => deleteAccount(values.password))
      // The session died with the account; this drops its cookies too.
      await endBrowserSession()
      endSession('deleted')
      navigate('/ui/login', { replace: true })
    },
  })
  const close = () => {
    form.reset()
    setOpen(false)
  }
  return (
    <section aria-labelledby="delete-heading">
      <h2 id="delete-heading">{t('delete.heading')}</h2>
      <p>{t('delete.explain')}</p>
      <div class="actions">
        <button type="button" class="danger" onClick={() => setOpen(true)}>
          {t('delete.open')}
        </button>
      </div>
      <Dialog open={open} title={t('delete.dialogTitle')} onClose={close}>
        <form ref={form.formRef} onSubmit={form.handleSubmit} noValidate>
          <p>{t('delete.warning')}</p>
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
            <button type="submit" class="danger" disabled={form.pending}>
              {t('delete.confirm')}
            </button>
            <button type="button" class="secondary" onClick={close}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      </Dialog>
    </section>
  )
}
