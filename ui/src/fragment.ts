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
