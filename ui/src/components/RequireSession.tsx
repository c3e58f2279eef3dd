import type { ComponentChildren } from 'preact'
import { useEffect } from 'preact/hooks'
import { useI18n } from '../i18n/index.ts'
import { navigate } from '../router.ts'
import { useSession } from '../session.ts'
import { Page } from './Page.tsx'

/**
 * Shows its children only to a signed-in person (and, with `admin`, only to an admin); anyone else goes
 * to the sign-in page, which brings them back here afterwards. The API checks every call regardless:
 * this only spares people a page of errors.
 */
export function RequireSession(props: { path: string; admin?: boolean; children: ComponentChildren }) {
  const { t } = useI18n()
  const session = useSession()
  useEffect(() => {
    if (session === null) navigate(`/ui/login?next=${encodeURIComponent(props.path)}`, { replace: true })
  }, [session, props.path])
  if (session === null) return null
  if (props.admin && session.user.role !== 'admin') {
    return (
      <Page title={t('admin.forbiddenTitle')}>
        <p>{t('admin.forbidden')}</p>
      </Page>
    )
  }
  return <>{props.children}</>
}
