import { useEffect, useState } from 'preact/hooks'
import { listUsers, type UserFilter } from '../../api/admin.ts'
import type { AdminUser, Page as ListPage } from '../../api/types.ts'
import { ErrorAlert } from '../../components/Alert.tsx'
import { Field, SelectField } from '../../components/Field.tsx'
import { Link } from '../../components/Link.tsx'
import { Page } from '../../components/Page.tsx'
import { TableRegion } from '../../components/TableRegion.tsx'
import { describeError } from '../../errors.ts'
import { formatDateTime } from '../../format.ts'
import { useI18n } from '../../i18n/index.ts'
import { AdminNav } from './AdminNav.tsx'
import { ROLE_LIST_ID } from './roles.ts'
import { RoleSuggestions } from './RoleSuggestions.tsx'

type Status = '' | 'enabled' | 'disabled'

/** /ui/admin: users, searched by username prefix and filtered by role and status, a page at a time. */
export function UsersPage() {
  const i18n = useI18n()
  const { t, language } = i18n
  const [q, setQ] = useState('')
  const [role, setRole] = useState('')
  const [status, setStatus] = useState<Status>('')
  // The cursors of the pages before this one, so "Previous" can go back (the API pages forward only).
  const [history, setHistory] = useState<Array<string | undefined>>([])
  const [cursor, setCursor] = useState<string | undefined>(undefined)
  const [page, setPage] = useState<ListPage<AdminUser> | null>(null)
  const [error, setError] = useState<string | undefined>(undefined)
  const [pending, setPending] = useState(false)

  const load = async (nextCursor: string | undefined) => {
    const filter: UserFilter = {
      q: q.trim(),
      role: role.trim(),
      ...(status === '' ? {} : { disabled: status === 'disabled' ? 'true' : 'false' }),
      ...(nextCursor === undefined ? {} : { cursor: nextCursor }),
    }
    setPending(true)
    setError(undefined)
    try {
      setPage(await listUsers(filter))
      setCursor(nextCursor)
    } catch (caught) {
      setError(describeError(caught, i18n))
    } finally {
      setPending(false)
    }
  }
  useEffect(() => {
    void load(undefined)
  }, [])

  const search = (event: Event) => {
    event.preventDefault()
    setHistory([])
    void load(undefined)
  }
  return (
    <Page title={t('admin.usersTitle')} wide>
      <AdminNav current="users" />
      <form class="filters" onSubmit={search} role="search" aria-label={t('users.searchLabel')}>
        <Field type="search" label={t('users.search')} name="q" value={q} onInput={setQ} />
        <Field label={t('users.role')} name="role" value={role} onInput={setRole} list={ROLE_LIST_ID} />
        <SelectField
          label={t('users.status')}
          name="status"
          value={status}
          onChange={(value) => setStatus(value as Status)}
          options={[
            { value: '', label: t('users.statusAny') },
            { value: 'enabled', label: t('users.statusEnabled') },
            { value: 'disabled', label: t('users.statusDisabled') },
          ]}
        />
        <div class="actions">
          <button type="submit" disabled={pending}>
            {t('users.searchSubmit')}
          </button>
        </div>
      </form>
      <RoleSuggestions />
      <ErrorAlert>{error}</ErrorAlert>
      {page && (
        <>
          <TableRegion caption={t('users.caption')}>
            <thead>
              <tr>
                <th scope="col">{t('field.username')}</th>
                <th scope="col">{t('users.role')}</th>
                <th scope="col">{t('users.status')}</th>
                <th scope="col">{t('users.created')}</th>
                <th scope="col">{t('users.lastLogin')}</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((user) => (
                <tr key={user.id}>
                  <td>
                    <Link href={`/ui/admin/users/${encodeURIComponent(user.id)}`}>{user.username}</Link>
                  </td>
                  <td>{user.role}</td>
                  <td>{t(user.disabled ? 'users.statusDisabled' : 'users.statusEnabled')}</td>
                  <td>{formatDateTime(user.created_at, language)}</td>
                  <td>{formatDateTime(user.last_login_at, language)}</td>
                </tr>
              ))}
            </tbody>
          </TableRegion>
          {page.items.length === 0 && <p>{t('users.none')}</p>}
          <div class="actions pager">
            <button
              type="button"
              class="secondary"
              disabled={pending || history.length === 0}
              onClick={() => {
                const previous = history.at(-1)
                setHistory(history.slice(0, -1))
                void load(previous)
              }}
            >
              {t('common.previousPage')}
            </button>
            <button
              type="button"
              class="secondary"
              disabled={pending || page.next_cursor === null}
              onClick={() => {
                setHistory([...history, cursor])
                void load(page.next_cursor ?? undefined)
              }}
            >
              {t('common.nextPage')}
            </button>
          </div>
        </>
      )}
    </Page>
  )
}
