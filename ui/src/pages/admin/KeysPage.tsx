import { useEffect, useState } from 'preact/hooks'
import { listKeys, retireKey, rotateKeys } from '../../api/admin.ts'
import type { SigningKey, SigningKeyList } from '../../api/types.ts'
import { ErrorAlert, StatusMessage } from '../../components/Alert.tsx'
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx'
import { Page } from '../../components/Page.tsx'
import { TableRegion } from '../../components/TableRegion.tsx'
import { describeError } from '../../errors.ts'
import { formatDateTime } from '../../format.ts'
import { useI18n, type MessageKey } from '../../i18n/index.ts'
import { AdminNav } from './AdminNav.tsx'

const STATE: Record<SigningKey['state'], MessageKey> = {
  next: 'keys.state.next',
  active: 'keys.state.active',
  retiring: 'keys.state.retiring',
  retired: 'keys.state.retired',
  expired: 'keys.state.expired',
}

/**
 * /ui/admin/keys: the signing keys and their states. Rotating is routine (nobody is signed out);
 * retiring is for a compromised key and ends every token it signed, so it asks with that warning.
 */
export function KeysPage() {
  const i18n = useI18n()
  const { t, language } = i18n
  const [keys, setKeys] = useState<SigningKeyList | null>(null)
  const [error, setError] = useState<string | undefined>(undefined)
  const [done, setDone] = useState<string | undefined>(undefined)
  const [asking, setAsking] = useState<{ kind: 'rotate' } | { kind: 'retire'; kid: string } | null>(null)
  const reload = async () => {
    try {
      setKeys(await listKeys())
    } catch (caught) {
      setError(describeError(caught, i18n))
    }
  }
  useEffect(() => {
    void reload()
  }, [])
  const days = keys ? Math.round(keys.rotation_interval_seconds / 86_400) : 0
  return (
    <Page title={t('admin.keysTitle')} wide>
      <AdminNav current="keys" />
      <ErrorAlert>{error}</ErrorAlert>
      <StatusMessage>{done}</StatusMessage>
      {keys && (
        <>
          <p>
            {t('keys.signingWith', { algorithm: keys.algorithm })}{' '}
            {keys.rotation_interval_seconds > 0 ? t('keys.rotatesEvery', { days }) : t('keys.rotationOff')}
          </p>
          {keys.algorithm === 'HS256' ? (
            <p>{t('keys.hs256')}</p>
          ) : (
            <div class="actions">
              <button type="button" onClick={() => setAsking({ kind: 'rotate' })}>
                {t('keys.rotate')}
              </button>
            </div>
          )}
          <TableRegion caption={t('keys.caption')}>
            <thead>
              <tr>
                <th scope="col">{t('keys.kid')}</th>
                <th scope="col">{t('keys.algorithm')}</th>
                <th scope="col">{t('keys.state')}</th>
                <th scope="col">{t('keys.created')}</th>
                <th scope="col">{t('keys.signsFrom')}</th>
                <th scope="col">{t('keys.publishedUntil')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.items.map((key) => (
                <tr key={key.kid}>
                  <td>
                    <code>{key.kid}</code>
                  </td>
                  <td>{key.algorithm}</td>
                  <td>{t(STATE[key.state])}</td>
                  <td>{formatDateTime(key.created_at, language)}</td>
                  <td>{formatDateTime(key.signs_from, language)}</td>
                  <td>{formatDateTime(key.published_until, language)}</td>
                  <td>
                    {key.state !== 'expired' && (
                      <button
                        type="button"
                        class="danger small"
                        aria-label={t('keys.retireLabel', { kid: key.kid })}
                        onClick={() => setAsking({ kind: 'retire', kid: key.kid })}
                      >
                        {t('keys.retire')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </TableRegion>
        </>
      )}
      <ConfirmDialog
        open={asking?.kind === 'rotate'}
        title={t('keys.rotateTitle')}
        confirmLabel={t('keys.rotateConfirm')}
        onClose={() => setAsking(null)}
        onConfirm={async () => {
          const outcome = await rotateKeys()
          setDone(t('keys.rotated', { kid: outcome.created_kid }))
          await reload()
        }}
      >
        <p>{t('keys.rotateExplain')}</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={asking?.kind === 'retire'}
        title={t('keys.retireTitle')}
        confirmLabel={t('keys.retireConfirm')}
        onClose={() => setAsking(null)}
        onConfirm={async () => {
          if (asking?.kind !== 'retire') return
          await retireKey(asking.kid)
          setDone(t('keys.retired', { kid: asking.kid }))
          await reload()
        }}
      >
        <p class="warning">{t('keys.retireWarning')}</p>
        {asking?.kind === 'retire' && (
          <p>
            <code>{asking.kid}</code>
          </p>
        )}
      </ConfirmDialog>
    </Page>
  )
}
