import { apiRequest } from './client.ts'
import type { OwnSession, Profile, TokenResponse } from './types.ts'

const auth = { authenticated: true } as const

/**
 * POST /login with JSON credentials, asking for the refresh token in the HttpOnly cookie
 * (`Gatehouse-Refresh: cookie`): the body then carries only the access token.
 */
export function logIn(username: string, password: string): Promise<TokenResponse> {
  return apiRequest('POST', '/login', {
    body: { username, password },
    headers: { 'gatehouse-refresh': 'cookie' },
  })
}

/** POST /register, with an email address when one is given (a server may require it). */
export function register(username: string, password: string, email = ''): Promise<Profile> {
  const body = email === '' ? { username, password } : { username, password, email }
  return apiRequest('POST', '/register', { body })
}

/** GET /profile; pass a token right after sign-in, before the session holds it. */
export function fetchProfile(accessToken?: string): Promise<Profile> {
  return apiRequest('GET', '/profile', accessToken === undefined ? auth : { accessToken })
}

/** PUT /profile: rename, proving the current password. */
export function rename(username: string, password: string): Promise<{ username: string }> {
  return apiRequest('PUT', '/profile', { ...auth, body: { username, password } })
}

/** POST /profile/password: every other session ends, this one stays. */
export function changePassword(
  currentPassword: string,
  newPassword: string,
): Promise<{ revoked_sessions: number }> {
  return apiRequest('POST', '/profile/password', {
    ...auth,
    body: { current_password: currentPassword, new_password: newPassword },
  })
}

/** DELETE /profile, proving the password. */
export function deleteAccount(password: string): Promise<void> {
  return apiRequest('DELETE', '/profile', { ...auth, body: { password } })
}

/** GET /sessions. */
export function listSessions(): Promise<OwnSession[]> {
  return apiRequest('GET', '/sessions', auth)
}

/** DELETE /sessions/{id}. */
export function endSessionById(id: string): Promise<void> {
  return apiRequest('DELETE', `/sessions/${encodeURIComponent(id)}`, auth)
}

/** DELETE /sessions?scope=others. */
export function endOtherSessions(): Promise<{ revoked: number }> {
  return apiRequest('DELETE', '/sessions', { ...auth, query: { scope: 'others' } })
}

/** POST /logout with the access token: ends this session (when the browser has no session cookie). */
export function logOut(): Promise<void> {
  return apiRequest('POST', '/logout', auth)
}
