import type { ComponentChildren } from 'preact'
import { useEffect, useMemo, useState } from 'preact/hooks'
import { csrfToken } from './browser-session.ts'
import { Header } from './components/Header.tsx'
import { RequireSession } from './components/RequireSession.tsx'
import { StepUpDialog } from './components/StepUpDialog.tsx'
import {
  I18nContext,
  initialLanguage,
  rememberLanguage,
  translate,
  type I18n,
  type Language,
} from './i18n/index.ts'
import { AccountPage } from './pages/account/AccountPage.tsx'
import { AuditPage } from './pages/admin/AuditPage.tsx'
import { KeysPage } from './pages/admin/KeysPage.tsx'
import { UserPage } from './pages/admin/UserPage.tsx'
import { UsersPage } from './pages/admin/UsersPage.tsx'
import { ForgotPasswordPage } from './pages/ForgotPasswordPage.tsx'
import { LoginPage } from './pages/LoginPage.tsx'
import { NotFoundPage } from './pages/NotFoundPage.tsx'
import { RegisterPage } from './pages/RegisterPage.tsx'
import { ResetPasswordPage } from './pages/ResetPasswordPage.tsx'
import { StartPage } from './pages/StartPage.tsx'
import { VerifyEmailPage } from './pages/VerifyEmailPage.tsx'
import { useLocation, type Location } from './router.ts'
import { restoreSession } from './signin.ts'

const USER_PAGE = /^\/ui\/admin\/users\/([^/]+)$/

function route({ path, query }: Location) {
  const admin = (page: ComponentChildren) => (
    <RequireSession path={path} admin>
      {page}
    </RequireSession>
  )
  switch (path) {
    case '/ui':
      return <StartPage />
    case '/ui/login':
      return <LoginPage next={query.get('next')} />
    case '/ui/register':
      return <RegisterPage />
    case '/ui/forgot-password':
      return <ForgotPasswordPage />
    case '/ui/reset-password':
      return <ResetPasswordPage />
    case '/ui/verify-email':
      return <VerifyEmailPage />
    case '/ui/account':
      return (
        <RequireSession path={path}>
          <AccountPage />
        </RequireSession>
      )
    case '/ui/admin':
      return admin(<UsersPage />)
    case '/ui/admin/audit':
      return admin(<AuditPage />)
    case '/ui/admin/keys':
      return admin(<KeysPage />)
  }
  const user = USER_PAGE.exec(path)
  if (user?.[1]) return admin(<UserPage id={decodeURIComponent(user[1])} />)
  return <NotFoundPage />
}

/**
 * The whole app: language, header and the page for the current path. With a session cookie present it
 * first restores the session, and shows nothing until then: no sign-in page flashing by, nothing moving.
 */
export function App() {
  const [ready, setReady] = useState(() => csrfToken() === undefined)
  useEffect(() => {
    if (!ready) void restoreSession().finally(() => setReady(true))
  }, [])
  const [language, setLanguage] = useState<Language>(initialLanguage)
  const i18n = useMemo<I18n>(
    () => ({
      language,
      setLanguage: (next) => {
        rememberLanguage(next)
        setLanguage(next)
      },
      t: (key, params) => translate(language, key, params),
    }),
    [language],
  )
  const location = useLocation()
  if (!ready) return null
  return (
    <I18nContext.Provider value={i18n}>
      <Header path={location.path} />
      {route(location)}
      <StepUpDialog />
    </I18nContext.Provider>
  )
}
