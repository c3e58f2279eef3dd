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
  'email.verification_requested': { name: 'account.email.verification_requested', level: 'info' },
  'email.verified': { name: 'account.email.verified', level: 'info' },
  'email.change_requested': { name: 'account.email.change_requested', level: 'info' },
  'email.changed': { name: 'account.email.changed', level: 'info' },
  'email.sent': { name: 'mail.sent', level: 'debug' },
  'email.failed': { name: 'mail.failed', level: 'warn' },
  'email.throttled': { name: 'mail.throttled', level: 'warn' },
  'password.reset_requested': { name: 'account.password.reset_requested', level: 'info' },
  'password.reset': { name: 'account.password.reset', level: 'info' },
  'admin.user.email': { name: 'admin.user.email_changed', level: 'warn' },
  'admin.user.reset_requested': { name: 'admin.user.password_reset_mailed', level: 'warn' },
  'admin.user.mfa_reset': { name: 'admin.user.mfa_reset', level: 'warn' },
  'mfa.totp.enroll': { name: 'account.mfa.totp_enrollment_started', level: 'info' },
  'mfa.totp.enable': { name: 'account.mfa.totp_enabled', level: 'info' },
  'mfa.totp.disable': { name: 'account.mfa.totp_disabled', level: 'warn' },
  'mfa.recovery_codes.regenerate': { name: 'account.mfa.recovery_codes_regenerated', level: 'info' },
  'mfa.recovery_code.use': { name: 'auth.mfa.recovery_code_used', level: 'warn' },
  'mfa.failure': { name: 'auth.mfa.failed', level: 'warn' },
  'mfa.webauthn.register': { name: 'account.mfa.webauthn_registered', level: 'info' },
  'mfa.webauthn.remove': { name: 'account.mfa.webauthn_removed', level: 'warn' },
  'mfa.webauthn.failure': { name: 'auth.mfa.webauthn_failed', level: 'warn' },
  'mfa.step_up.failure': { name: 'auth.step_up.failed', level: 'warn' },
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
