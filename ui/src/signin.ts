import { fetchProfile, logIn } from './api/account.ts'
import type { TokenResponse } from './api/types.ts'
import { csrfToken, refreshAccessToken } from './browser-session.ts'
import { setSession } from './session.ts'

/**
 * What a sign-in step leads to. Today the password step always ends with tokens; a second factor will add
 * an outcome that names the next step (and its one-time token) instead, handled by the login page.
 */
export type SignInOutcome = { kind: 'signed-in' }

/**
 * Starts the session from a token response: the access token stays in memory, with the profile. The
 * refresh token never reaches this code: the server put it in the HttpOnly cookie.
 */
export async function startSession(tokens: TokenResponse): Promise<SignInOutcome> {
  const user = await fetchProfile(tokens.access_token)
  setSession({ accessToken: tokens.access_token, user })
  return { kind: 'signed-in' }
}

/** After a reload: a new access token from the refresh cookie, if this browser has a live session. */
export async function restoreSession(): Promise<void> {
  if (csrfToken() === undefined) return
  const accessToken = await refreshAccessToken()
  if (accessToken === undefined) return
  try {
    setSession({ accessToken, user: await fetchProfile(accessToken) })
  } catch {
    // The session ended between the two calls: stay signed out.
  }
}

/** Signs in with a username and password. */
export async function signInWithPassword(username: string, password: string): Promise<SignInOutcome> {
  return startSession(await logIn(username, password))
}
