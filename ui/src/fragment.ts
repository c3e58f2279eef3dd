import { useEffect, useState } from 'preact/hooks'

/**
 * The `token` in the page address's fragment (`/ui/reset-password#token=…`), as Gatehouse's emails link
 * them. A fragment is never sent to the server, so the token stays out of access logs and Referer
 * headers; the query string is deliberately not read. Once read, the fragment is removed from the
 * address bar and history, so the token does not linger there.
 */
export function takeFragmentToken(): string | undefined {
  const token = new URLSearchParams(location.hash.replace(/^#/, '')).get('token') ?? undefined
  if (token !== undefined) history.replaceState(history.state, '', location.pathname + location.search)
  return token === '' ? undefined : token
}

/**
 * The fragment's token for a page, kept in memory: read on the first render, and again when a link is
 * opened in a tab already showing the page (only the fragment changes then, so nothing reloads).
 */
export function useFragmentToken(): string | undefined {
  const [token, setToken] = useState(takeFragmentToken)
  useEffect(() => {
    const update = () => {
      const next = takeFragmentToken()
      if (next !== undefined) setToken(next)
    }
    window.addEventListener('hashchange', update)
    return () => window.removeEventListener('hashchange', update)
  }, [])
  return token
}
