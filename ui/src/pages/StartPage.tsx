import { useEffect } from 'preact/hooks'
import { navigate } from '../router.ts'
import { currentSession } from '../session.ts'

/** /ui: the account page for someone signed in, the sign-in page for everyone else. */
export function StartPage() {
  useEffect(() => {
    navigate(currentSession() ? '/ui/account' : '/ui/login', { replace: true })
  }, [])
  return null
}
