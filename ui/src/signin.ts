import { fetchProfile, logIn } from './api/account.ts'
import { ApiError } from './api/client.ts'
import { logInWithFactor, logInWithPasskey, passkeyLoginOptions } from './api/mfa.ts'
import type { SecondFactorMethod, TokenResponse } from './api/types.ts'
import { csrfToken, refreshAccessToken } from './browser-session.ts'
import { startPasskeyCeremony } from './passkey.ts'
import { setSession } from './session.ts'

/**
 * What a sign-in step leads to: a session, the second-factor step (with its one-time `mfa_token` and the
 * ways the account offers), or, when policy requires a factor the account lacks, enrollment with a token
 * that allows nothing else. The login page turns each into its next step.
 */
export type SignInOutcome =
  | { kind: 'signed-in' }
  | { kind: 'second-factor'; mfaToken: string; methods: SecondFactorMethod[] }
  | { kind: 'enroll'; mfaToken: string }

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

const METHODS: SecondFactorMethod[] = ['totp', 'recovery_code', 'webauthn']

function stringField(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name]
  return typeof value === 'string' ? value : undefined
}

/** Signs in with a username (or verified email address) and password. */
export async function signInWithPassword(username: string, password: string): Promise<SignInOutcome> {
  try {
    return await startSession(await logIn(username, password))
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 403) throw error
    if (error.code === 'mfa_required') {
      const mfaToken = stringField(error.body, 'mfa_token')
      if (mfaToken === undefined) throw error
      const offered = Array.isArray(error.body.methods) ? (error.body.methods as string[]) : []
      const methods = METHODS.filter((method) => offered.length === 0 || offered.includes(method))
      return { kind: 'second-factor', mfaToken, methods }
    }
    if (error.code === 'mfa_enrollment_required') {
      const mfaToken = stringField(error.body, 'mfa_token')
      if (mfaToken === undefined) throw error
      return { kind: 'enroll', mfaToken }
    }
    throw error
  }
}

/** The second step: the authenticator app's code, or one of the recovery codes. */
export async function signInWithCode(
  mfaToken: string,
  proof: { code: string } | { recovery_code: string },
): Promise<SignInOutcome> {
  return startSession(await logInWithFactor(mfaToken, proof))
}

/**
 * A passkey: as the second step (with the mfa_token), or alone (passwordless, a discoverable credential
 * with user verification: the browser offers the passkeys it holds for this site).
 */
export async function signInWithPasskey(mfaToken?: string): Promise<SignInOutcome> {
  const options = await passkeyLoginOptions(mfaToken)
  const response = await startPasskeyCeremony('get', options)
  return startSession(await logInWithPasskey(response, mfaToken))
}
