import { useState } from 'preact/hooks'
import { resetFactors } from '../../api/admin.ts'
import { readFactors } from '../../api/mfa.ts'
import type { AdminUserDetail } from '../../api/types.ts'
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx'
import { formatDateTime } from '../../format.ts'
import { useI18n } from '../../i18n/index.ts'
import { withStepUp } from '../../step-up.ts'

/**
 * A user's second factors as the admin view reports them, and "reset second factors" for a person who
 * lost their phone and their recovery codes: it removes them all and ends the user's sessions.
 */
export function UserFactors(props: { user: AdminUserDetail; onChanged: (message: string) => Promise<void> }) {
  const { t, language } = useI18n()
  const [asking, setAsking] = useState(false)
  const factors = readFactors(props.user.mfa)
  const any = factors.totp || factors.passkeys.length > 0
  return (
    <section aria-labelledby="user-factors">
      <h2 id="user-factors">{t('userFactors.heading')}</h2>
      <dl class="facts">
        <dt>{t('totp.heading')}</dt>
        <dd>
          {factors.totp
            ? t('userFactors.totpOn', { count: factors.recovery_codes_remaining })
            : t('totp.off')}
        </dd>
        <dt>{t('passkeys.heading')}</dt>
        <dd>
          {factors.passkeys.length === 0 ? (
            t('passkeys.none')
          ) : (
            <ul class="plain">
              {factors.passkeys.map((passkey) => (
                <li key={passkey.id}>
                  {t('userFactors.passkey', {
                    name: passkey.name,
                    created: formatDateTime(passkey.created_at, language),
                  })}
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
      <div class="actions">
        <button type="button" class="danger" disabled={!any} onClick={() => setAsking(true)}>
          {t('userFactors.reset')}
        </button>
      </div>
      <ConfirmDialog
        open={asking}
        title={t('userFactors.resetTitle', { username: props.user.username })}
        confirmLabel={t('userFactors.resetConfirm')}
        onClose={() => setAsking(false)}
        onConfirm={async () => {
          await withStepUp(() => resetFactors(props.user.id))
          await props.onChanged(t('userFactors.resetDone'))
        }}
      >
        <p>{t('userFactors.resetWarning')}</p>
      </ConfirmDialog>
    </section>
  )
}
