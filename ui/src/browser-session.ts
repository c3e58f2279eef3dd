import { currentSession, setAccessToken } from './session.ts'

// The refresh token is in an HttpOnly cookie this code can never read; the server sends it only to
// /session/*. What the page can read is the CSRF cookie, which it echoes in a header to prove the request
// comes from its own origin (double submit). The access token stays in memory (session.ts).

const CSRF_COOKIES = ['__Host-gatehouse_csrf', 'gatehouse_csrf']
const CSRF_HEADER = 'gatehouse-csrf'
const LOCK_NAME = 'gatehouse-session-refresh'

/** The CSRF token the server set at sign-in, or undefined when this browser has no session cookie. */
export function csrfToken(): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [name, ...value] = part.trim().split('=')
    if (name !== undefined && CSRF_COOKIES.includes(name)) return value.join('=')
  }
  return undefined
}

async function postSession(path: string): Promise<Response | undefined> {
  const token = csrfToken()
  if (token === undefined) return undefined
  try {
    return await fetch(path, {
      method: 'POST',
      headers: { [CSRF_HEADER]: token, accept: 'application/json' },
      credentials: 'same-origin',
      cache: 'no-store',
    })
  } catch {
    return undefined
  }
}

async function refreshOnce(): Promise<string | undefined> {
  const response = await postSession('/session/refresh')
  if (!response?.ok) return undefined
  const body = (await response.json()) as { access_token: string }
  if (currentSession()) setAccessToken(body.access_token)
  return body.access_token
}

let inFlight: Promise<string | undefined> | undefined

/**
 * A new access token from the refresh cookie, or undefined when the browser session is over. Calls in
 * this tab share one request, and tabs take turns through a Web Lock: the refresh token rotates at each
 * use, and two tabs presenting the same one at once would look like a stolen token being replayed.
 */
export function refreshAccessToken(): Promise<string | undefined> {
  if (inFlight !== undefined) return inFlight
  // The lock's promise resolves to what the callback's promise resolves to; the DOM typings nest the two,
  // and then() flattens them for the type checker as the browser already does at run time.
  const run =
    'locks' in navigator
      ? navigator.locks.request(LOCK_NAME, refreshOnce).then((result) => result)
      : refreshOnce()
  const shared = run.finally(() => {
    inFlight = undefined
  })
  inFlight = shared
  return shared
}

/** Ends the cookie's session on the server, and the server drops both cookies. */
export async function endBrowserSession(): Promise<void> {
  await postSession('/session/logout')
}
