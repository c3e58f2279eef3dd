import { useId } from 'preact/hooks'
import { logOut } from '../api/account.ts'
import { csrfToken, endBrowserSession } from '../browser-session.ts'
import { LANGUAGES, useI18n, type Language } from '../i18n/index.ts'
import { navigate } from '../router.ts'
import { endSession, useSession } from '../session.ts'
import { Link } from './Link.tsx'

/** The bar on every page: the name, the navigation for who is signed in, the language and sign-out. */
export function Header({ path }: { path: string }) {
  const { t, language, setLanguage } = useI18n()
  const session = useSession()
  const languageId = useId()
  const signOut = async () => {
    // The session ends here whatever the server answers: a failed call must not leave the token in use.
    // With the session cookie, /session/logout ends the session and drops the cookies in one call.
    await (csrfToken() === undefined ? logOut() : endBrowserSession()).catch(() => undefined)
    endSession('signed-out')
    navigate('/ui/login')
  }
  return (
    <header class="site-header">
      <a class="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <div class="header-inner">
        <Link href={session ? '/ui/account' : '/ui/login'} class="brand">
          {t('app.name')}
        </Link>
        {session && (
          <nav aria-label={t('nav.label')}>
            <ul>
              <li>
                <Link href="/ui/account" current={path === '/ui/account'}>
                  {t('nav.account')}
                </Link>
              </li>
              {session.user.role === 'admin' && (
                <li>
                  <Link href="/ui/admin" current={path.startsWith('/ui/admin')}>
                    {t('nav.admin')}
                  </Link>
                </li>
              )}
            </ul>
          </nav>
        )}
        <div class="header-tools">
          <label for={languageId} class="language-label">
            {t('nav.language')}
          </label>
          <select
            id={languageId}
            value={language}
            onChange={(event) => setLanguage(event.currentTarget.value as Language)}
          >
            {(Object.keys(LANGUAGES) as Language[]).map((code) => (
              <option key={code} value={code} lang={code}>
                {LANGUAGES[code].name}
              </option>
            ))}
          </select>
          {session && (
            <button type="button" class="secondary" onClick={() => void signOut()}>
              {t('nav.signOut')}
            </button>
          )}
        </div>
      </div>
    </header>
  )
}
