import { useState } from 'preact/hooks'
import { passkeyRegistrationOptions, registerPasskey, removePasskey } from '../../api/mfa.ts'
import type { Passkey } from '../../api/types.ts'
import { StatusMessage } from '../../components/Alert.tsx'
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx'
import { ErrorAlert } from '../../components/Alert.tsx'
import { Field } from '../../components/Field.tsx'
import { RecoveryCodes } from '../../components/RecoveryCodes.tsx'
import { TableRegion } from '../../components/TableRegion.tsx'
import { formatDateTime } from '../../format.ts'
import { useForm } from '../../form.ts'
import { useI18n } from '../../i18n/index.ts'
import { passkeysSupported, startPasskeyCeremony } from '../../passkey.ts'
import { withStepUp } from '../../step-up.ts'

/** Passkeys: the list by name, adding one under a name (the browser's own prompt), removing one. */
export function PasskeysSection(props: { passkeys: Passkey[]; onChanged: () => Promise<void> }) {
  const { t, language } = useI18n()
  const [done, setDone] = useState<string | undefined>(undefined)
  const [removing, setRemoving] = useState<Passkey | null>(null)
  const [codes, setCodes] = useState<string[] | null>(null)
  const form = useForm({
    initial: { name: '' },
    fieldForCode: { validation_failed: 'name', passkey_cancelled: 'name', passkey_failed: 'name' },
    validate: (values) => (values.name.trim() === '' ? { name: 'field.required' as const } : {}),
    submit: async (values) => {
      setDone(undefined)
      const name = values.name.trim()
      const added = await withStepUp(async () => {
        const options = await passkeyRegistrationOptions()
        return registerPasskey(name, await startPasskeyCeremony('create', options))
      })
      form.reset()
      setDone(t('passkeys.added', { name }))
      // The first second factor comes with recovery codes; the list reloads once they have been seen.
      if (added.recovery_codes?.length) setCodes(added.recovery_codes)
      else await props.onChanged()
    },
  })
  return (
    <section aria-labelledby="passkeys-heading">
      <h2 id="passkeys-heading">{t('passkeys.heading')}</h2>
      <p class="hint">{t('passkeys.explain')}</p>
      {props.passkeys.length === 0 ? (
        <p>{t('passkeys.none')}</p>
      ) : (
        <TableRegion caption={t('passkeys.caption')}>
          <thead>
            <tr>
              <th scope="col">{t('passkeys.name')}</th>
              <th scope="col">{t('passkeys.created')}</th>
              <th scope="col">{t('passkeys.lastUsed')}</th>
              <th scope="col">
                <span class="visually-hidden">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.passkeys.map((passkey) => (
              <tr key={passkey.id}>
                <td>{passkey.name}</td>
                <td>{formatDateTime(passkey.created_at, language)}</td>
                <td>{formatDateTime(passkey.last_used_at, language)}</td>
                <td>
                  <button
                    type="button"
                    class="secondary small"
                    aria-label={t('passkeys.removeLabel', { name: passkey.name })}
                    onClick={() => setRemoving(passkey)}
                  >
                    {t('passkeys.remove')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </TableRegion>
      )}
      {codes && (
        <RecoveryCodes
          codes={codes}
          onDone={() => {
            setCodes(null)
            void props.onChanged()
          }}
        />
      )}
      {passkeysSupported() ? (
        <form ref={form.formRef} onSubmit={form.handleSubmit} noValidate>
          <ErrorAlert>{form.formError}</ErrorAlert>
          <Field
            label={t('passkeys.newName')}
            name="name"
            hint={t('passkeys.nameHint')}
            value={form.values.name}
            onInput={form.set('name')}
            error={form.errors.name}
          />
          <div class="actions">
            <button type="submit" disabled={form.pending}>
              {t('passkeys.add')}
            </button>
          </div>
        </form>
      ) : (
        <p>{t('passkeys.unsupported')}</p>
      )}
      <StatusMessage>{done}</StatusMessage>
      <ConfirmDialog
        open={removing !== null}
        title={t('passkeys.removeTitle', { name: removing?.name ?? '' })}
        confirmLabel={t('passkeys.removeConfirm')}
        onClose={() => setRemoving(null)}
        onConfirm={async () => {
          if (removing === null) return
          await withStepUp(() => removePasskey(removing.id))
          setDone(t('passkeys.removed', { name: removing.name }))
          await props.onChanged()
        }}
      >
        <p>{t('passkeys.removeWarning')}</p>
      </ConfirmDialog>
    </section>
  )
}
