import { Link } from '../../components/Link.tsx'
import { useI18n } from '../../i18n/index.ts'

/** The admin console's sections. */
export function AdminNav({ current }: { current: 'users' | 'audit' | 'keys' }) {
  const { t } = useI18n()
  const links = [
    { key: 'users', href: '/ui/admin', label: t('admin.users') },
    { key: 'audit', href: '/ui/admin/audit', label: t('admin.audit') },
    { key: 'keys', href: '/ui/admin/keys', label: t('admin.keys') },
  ] as const
  return (
    <nav aria-label={t('admin.navLabel')} class="tabs">
      <ul>
        {links.map((link) => (
          <li key={link.key}>
            <Link href={link.href} current={link.key === current}>
              {link.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  )
}
