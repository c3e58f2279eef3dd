import { Link } from '../components/Link.tsx'
import { Page } from '../components/Page.tsx'
import { useI18n } from '../i18n/index.ts'

/** Any other path under /ui. */
export function NotFoundPage() {
  const { t } = useI18n()
  return (
    <Page title={t('notFound.title')}>
      <p>{t('notFound.body')}</p>
      <p>
        <Link href="/ui/login">{t('notFound.home')}</Link>
      </p>
    </Page>
  )
}
