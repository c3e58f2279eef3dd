import type { Logger } from '../logger.ts'
import type { ObservedAuditEvent } from './audit-observer.ts'

/** How loud a security event is in the log: warn is what a SIEM should alert on; debug is high-volume routine. */
type Level = 'debug' | 'info' | 'warn'

interface SecurityEventName {
  name: string
  level: Level
}

// Stable names for a SIEM, one per audit action. They are a contract: rename one only with a release
// note. Keyed by string rather than by the AuditAction union so that a new audit action never breaks the
// build here; an action missing from this table is logged as `audit.<action>` until it gets a name.
const EVENT_NAMES: Record<string, SecurityEventName> = {
  'user.register': { name: 'account.registered', level: 'info' },
  'user.bootstrap': { name: 'admin.user.bootstrapped', level: 'info' },
  'user.create_cli': { name: 'admin.user.created', level: 'info' },
  'login.success': { name: 'auth.login.succeeded', level: 'info' },
  'login.failure': { name: 'auth.login.failed', level: 'warn' },
  'login.throttled': { name: 'auth.login.throttled', level: 'warn' },
  // Hook for the second-factor work: record this action when a password login stops at the MFA step.
  'login.mfa_required': { name: 'auth.login.mfa_required', level: 'info' },
  // Every client refreshes every few minutes: routine, so debug (the metric counts them at any level).
  'token.refresh': { name: 'auth.refresh.succeeded', level: 'debug' },
  'token.refresh_reuse': { name: 'auth.refresh.reuse_detected', level: 'warn' },
  'session.logout': { name: 'auth.logout', level: 'info' },
  'session.revoke': { name: 'auth.session.revoked', level: 'info' },
  'password.change': { name: 'account.password.changed', level: 'info' },
  'username.change': { name: 'account.username.changed', level: 'info' },
  'account.delete': { name: 'account.deleted', level: 'info' },
  'admin.user.create': { name: 'admin.user.created', level: 'info' },
  'admin.user.update': { name: 'admin.user.updated', level: 'info' },
  'admin.user.password_reset': { name: 'admin.user.password_reset', level: 'warn' },
  'admin.user.delete': { name: 'admin.user.deleted', level: 'warn' },
  'admin.sessions.revoke': { name: 'admin.user.sessions_revoked', level: 'info' },
  'key.rotate': { name: 'keys.rotated', level: 'info' },
  'users.import': { name: 'admin.users.imported', level: 'info' },
}

// One admin update can change several things; each gets the name a SIEM rule would look for.
const UPDATE_CHANGES: Record<string, SecurityEventName> = {
  role: { name: 'admin.user.role_changed', level: 'warn' },
  disabled: { name: 'admin.user.disabled_changed', level: 'warn' },
  username: { name: 'admin.user.renamed', level: 'info' },
}

// Details that are safe and useful in a log line. Usernames stay in the audit table: the log is
// shipped to more places, and ids are enough to correlate.
const LOGGED_DETAILS = [
  'reason',
  'scope',
  'grant',
  'trigger',
  'kid',
  'algorithm',
  'retired_kid',
  'via',
] as const

/** The stable security-event names an audit event stands for (usually one). */
export function securityEventNames(event: ObservedAuditEvent): SecurityEventName[] {
  if (event.action === 'admin.user.update') {
    const changes = event.details.changes
    const named =
      changes !== null && typeof changes === 'object'
        ? Object.keys(changes).flatMap((field) => UPDATE_CHANGES[field] ?? [])
        : []
    if (named.length > 0) return named
  }
  return [EVENT_NAMES[event.action] ?? { name: `audit.${event.action}`, level: 'info' }]
}

/** Writes the security events an audit event stands for to the log, with its request id. */
export function logSecurityEvent(log: Logger, event: ObservedAuditEvent): void {
  const details: Record<string, unknown> = {}
  for (const key of LOGGED_DETAILS) {
    const value = event.details[key]
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      details[key] = value
  }
  if (event.action === 'admin.user.update' && typeof event.details.changes === 'object') {
    const role = (event.details.changes as Record<string, { from: unknown; to: unknown } | undefined>).role
    if (role) Object.assign(details, { role_from: role.from, role_to: role.to })
  }
  for (const { name, level } of securityEventNames(event)) {
    log[level](
      {
        security_event: name,
        audit_action: event.action,
        outcome: event.outcome,
        request_id: event.requestId ?? undefined,
        actor_user_id: event.actorUserId ?? undefined,
        target_user_id: event.targetUserId ?? undefined,
        session_id: event.sessionId ?? undefined,
        ip: event.ip ?? undefined,
        ...details,
      },
      name,
    )
  }
}
