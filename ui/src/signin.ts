import { fetchProfile, logIn } from './api/account.ts'
import type { TokenResponse } from './api/types.ts'
import { setSession } from './session.ts'

/**
 * What a sign-in step leads to. Today the password step always ends with tokens; a second factor will add
 * an outcome that names the next step (and its one-time token) instead, handled by the login page.
 */
export type SignInOutcome = { kind: 'signed-in' }

/** Starts the session from a token response: the access token stays in memory, with the profile. */
export async function startSession(tokens: TokenResponse): Promise<SignInOutcome> {
  const user = await fetchProfile(tokens.access_token)
  // The refresh token is not kept: phase A has no safe place for it (never in storage); the next phase
  // moves it into an HttpOnly cookie the page cannot read.
  setSession({ accessToken: tokens.access_token, user })
  return { kind: 'signed-in' }
}

/** Signs in with a username and password. */
export async function signInWithPassword(username: string, password: string): Promise<SignInOutcome> {
  return startSession(await logIn(username, password))
}
