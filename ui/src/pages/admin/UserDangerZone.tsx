import { useState } from 'preact/hooks'
import { deleteUser, updateUser } from '../../api/admin.ts'
import type { AdminUserDetail } from '../../api/types.ts'
import { ErrorAlert } from '../../components/Alert.tsx'
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx'
import { describeError } from '../../errors.ts'
import { useI18n } from '../../i18n/index.ts'
import { navigate } from '../../router.ts'

/** Disabling (or enabling) and deleting a user; both ask first, since both sign the user out at once. */
export function UserDangerZone(props: {
  user: AdminUserDetail
  onChanged: (message: string) => Promise<void>
}) {
  const i18n = useI18n()
  const { t } = i18n
  const [asking, setAsking] = useState<'disable' | 'delete' | null>(null)
  const [error, setError] = useState<string | undefined>(undefined)
  const { user } = props
  const enable = async () => {
    setError(undefined)
    try {
      await updateUser(user.id, { disabled: false })
      await props.onChanged(t('user.enabled'))
    } catch (caught) {
      setError(describeError(caught, i18n))
    }
  }
  return (
    <section aria-labelledby="user-danger">
      <h2 id="user-danger">{t('user.dangerHeading')}</h2>
      <ErrorAlert>{error}</ErrorAlert>
      <div class="actions">
        {user.disabled ? (
          <button type="button" class="secondary" onClick={() => void enable()}>
            {t('user.enable')}
          </button>
        ) : (
          <button type="button" class="danger" onClick={() => setAsking('disable')}>
            {t('user.disable')}
          </button>
        )}
        <button type="button" class="danger" onClick={() => setAsking('delete')}>
          {t('user.delete')}
        </button>
      </div>
      <ConfirmDialog
        open={asking === 'disable'}
        title={t('user.disableTitle', { username: user.username })}
        confirmLabel={t('user.disableConfirm')}
        onClose={() => setAsking(null)}
        onConfirm={async () => {
          await updateUser(user.id, { disabled: true })
          await props.onChanged(t('user.disabled'))
        }}
      >
        <p>{t('user.disableWarning')}</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={asking === 'delete'}
        title={t('user.deleteTitle', { username: user.username })}
        confirmLabel={t('user.deleteConfirm')}
        onClose={() => setAsking(null)}
        onConfirm={async () => {
          await deleteUser(user.id)
          navigate('/ui/admin')
        }}
      >
        <p>{t('user.deleteWarning')}</p>
      </ConfirmDialog>
    </section>
  )
}
