import { withStepUp } from '../step-up.ts'
import { apiRequest } from './client.ts'
import type { AdminSession, AdminUser, AdminUserDetail, AuditEvent, Page, SigningKeyList } from './types.ts'

const auth = { authenticated: true } as const
const userPath = (id: string) => `/admin/users/${encodeURIComponent(id)}`

/** Filters of the user list. */
export interface UserFilter {
  q?: string
  role?: string
  disabled?: 'true' | 'false'
  cursor?: string
}

/** GET /admin/users. */
export function listUsers(filter: UserFilter): Promise<Page<AdminUser>> {
  return apiRequest('GET', '/admin/users', { ...auth, query: { ...filter, limit: '20' } })
}

/** GET /admin/users/{id}. */
export function getUser(id: string): Promise<AdminUserDetail> {
  return apiRequest('GET', userPath(id), auth)
}

/** PATCH /admin/users/{id}. */
export function updateUser(id: string, patch: { role?: string; disabled?: boolean }): Promise<AdminUser> {
  return withStepUp(() => apiRequest('PATCH', userPath(id), { ...auth, body: patch }))
}

/** POST /admin/users/{id}/password: sets it and signs the user out everywhere. */
export function resetPassword(id: string, newPassword: string): Promise<{ revoked_sessions: number }> {
  return apiRequest('POST', `${userPath(id)}/password`, { ...auth, body: { new_password: newPassword } })
}

/** DELETE /admin/users/{id}. */
export function deleteUser(id: string): Promise<void> {
  return apiRequest('DELETE', userPath(id), auth)
}

/** DELETE /admin/users/{id}/mfa: removes every second factor of the user and ends their sessions. */
export async function resetFactors(id: string): Promise<void> {
  await apiRequest('DELETE', `${userPath(id)}/mfa`, auth)
}

/** GET /admin/users/{id}/sessions. */
export function listUserSessions(id: string): Promise<AdminSession[]> {
  return apiRequest('GET', `${userPath(id)}/sessions`, auth)
}

/** DELETE /admin/users/{id}/sessions. */
export function endUserSessions(id: string): Promise<{ revoked: number }> {
  return apiRequest('DELETE', `${userPath(id)}/sessions`, auth)
}

/** Filters of the audit log. */
export interface AuditFilter {
  action?: string
  actor?: string
  target?: string
  since?: string
  until?: string
  cursor?: string
}

/** GET /admin/audit, newest first. */
export function listAudit(filter: AuditFilter): Promise<Page<AuditEvent>> {
  return apiRequest('GET', '/admin/audit', { ...auth, query: { ...filter, limit: '25' } })
}

/** GET /admin/keys. */
export function listKeys(): Promise<SigningKeyList> {
  return apiRequest('GET', '/admin/keys', auth)
}

/** POST /admin/keys/rotate. */
export function rotateKeys(): Promise<{ created_kid: string; retired_kids: string[] }> {
  return apiRequest('POST', '/admin/keys/rotate', auth)
}

/** POST /admin/keys/{kid}/retire. */
export function retireKey(kid: string): Promise<{ retired_kid: string; created_kid: string | null }> {
  return apiRequest('POST', `/admin/keys/${encodeURIComponent(kid)}/retire`, auth)
}
