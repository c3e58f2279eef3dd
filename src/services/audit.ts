import { insertAuditEvent, listAuditEvents, type AuditEventFilter, type AuditEventRow } from '../db/audit.ts'
import type { Executor } from '../db/schema.ts'
import { notifyAuditObserver } from './audit-observer.ts'
import { newId } from './random.ts'

/** Where a request came from; routes build it, services copy it into the audit log. */
export interface RequestMeta {
  ip: string | null
  userAgent: string | null
  requestId?: string | null
}

/** For changes that no HTTP request made: the CLI, timers, the bootstrap admin. */
export const NO_REQUEST_META: RequestMeta = Object.freeze({ ip: null, userAgent: null, requestId: null })

/** Every action the audit log records. A closed set, so readers can filter on it with confidence. */
export type AuditAction =
  | 'user.register'
  | 'user.bootstrap'
  | 'user.create_cli'
  | 'login.success'
  | 'login.failure'
  | 'login.throttled'
  | 'token.refresh'
  | 'token.refresh_reuse'
  | 'session.logout'
  | 'session.revoke'
  | 'password.change'
  | 'username.change'
  | 'account.delete'
  | 'admin.user.create'
  | 'admin.user.update'
  | 'admin.user.password_reset'
  | 'admin.user.delete'
  | 'admin.sessions.revoke'
  | 'key.rotate'
  | 'users.import'
  | 'email.verification_requested'
  | 'email.verified'
  | 'email.change_requested'
  | 'email.changed'
  | 'email.sent'
  | 'email.failed'
  | 'email.throttled'
  | 'password.reset_requested'
  | 'password.reset'
  | 'admin.user.email'
  | 'admin.user.reset_requested'
  | 'mfa.totp.enroll'
  | 'mfa.totp.enable'
  | 'mfa.totp.disable'
  | 'mfa.recovery_codes.regenerate'
  | 'mfa.recovery_code.use'
  | 'mfa.failure'
  | 'mfa.webauthn.register'
  | 'mfa.webauthn.remove'
  | 'mfa.webauthn.failure'
  | 'mfa.step_up.failure'
  | 'admin.user.mfa_reset'

/** One event to record; ids, time and request metadata are filled in by `recordAuditEvent`. */
export interface AuditEventInput {
  action: AuditAction
  outcome?: 'success' | 'failure'
  actorUserId?: string | null
  targetUserId?: string | null
  sessionId?: string | null
  details?: Record<string, unknown>
}

// Defence in depth: a detail whose name looks like a secret is dropped even if a caller passes one.
const SECRET_KEY = /pass|token|hash|secret|key_material|private/i

function detailsJson(details: Record<string, unknown> | undefined): string | null {
  if (details === undefined) return null
  const kept = Object.entries(details).filter(([key, value]) => !SECRET_KEY.test(key) && value !== undefined)
  return kept.length === 0 ? null : JSON.stringify(Object.fromEntries(kept))
}

/**
 * Appends an event. Pass the transaction that makes the change, so the change and its record commit
 * or roll back together: there is never a change without its row, nor a row for a change that failed.
 */
export async function recordAuditEvent(
  db: Executor,
  now: number,
  meta: RequestMeta,
  event: AuditEventInput,
): Promise<void> {
  const row = {
    id: newId(),
    at: now,
    actor_user_id: event.actorUserId ?? null,
    target_user_id: event.targetUserId ?? null,
    action: event.action,
    outcome: event.outcome ?? 'success',
    ip: meta.ip,
    // Bounded: the header is client-controlled and the table must not grow by whatever a client sends.
    user_agent: meta.userAgent?.slice(0, 512) ?? null,
    request_id: meta.requestId?.slice(0, 128) ?? null,
    session_id: event.sessionId ?? null,
    details: detailsJson(event.details),
  }
  await insertAuditEvent(db, row)
  // The security-event log and the metrics hear of every event here, the one place all of them pass.
  notifyAuditObserver(db, {
    action: row.action,
    outcome: row.outcome,
    actorUserId: row.actor_user_id,
    targetUserId: row.target_user_id,
    sessionId: row.session_id,
    requestId: row.request_id,
    ip: row.ip,
    details: row.details === null ? {} : (JSON.parse(row.details) as Record<string, unknown>),
  })
}

/** Records a signing-key rotation; pass the transaction that stores the new key. */
export async function recordKeyRotation(
  db: Executor,
  now: number,
  input: {
    kid: string
    algorithm: string
    retiredKid?: string | null
    trigger: 'scheduled' | 'manual' | 'initial'
    actorUserId?: string | null
    sessionId?: string | null
  },
  meta: RequestMeta = NO_REQUEST_META,
): Promise<void> {
  await recordAuditEvent(db, now, meta, {
    action: 'key.rotate',
    actorUserId: input.actorUserId ?? null,
    sessionId: input.sessionId ?? null,
    details: {
      kid: input.kid,
      algorithm: input.algorithm,
      retired_kid: input.retiredKid ?? undefined,
      trigger: input.trigger,
    },
  })
}

/** An audit event as the API and the export show it. */
export interface PublicAuditEvent {
  id: string
  at: string
  action: string
  outcome: string
  actor_user_id: string | null
  target_user_id: string | null
  session_id: string | null
  ip: string | null
  user_agent: string | null
  request_id: string | null
  details: Record<string, unknown> | null
}

/** Converts a stored row to its public form. */
export function toPublicAuditEvent(row: AuditEventRow): PublicAuditEvent {
  return {
    id: row.id,
    at: new Date(row.at).toISOString(),
    action: row.action,
    outcome: row.outcome,
    actor_user_id: row.actor_user_id,
    target_user_id: row.target_user_id,
    session_id: row.session_id,
    ip: row.ip,
    user_agent: row.user_agent,
    request_id: row.request_id,
    details: row.details === null ? null : (JSON.parse(row.details) as Record<string, unknown>),
  }
}

/**
 * Yields every matching event oldest first, one keyset page at a time, so an export of millions of
 * rows holds one page in memory, and works alike on both engines (no server-side cursor to keep open).
 */
export async function* iterateAuditEvents(
  db: Executor,
  filter: AuditEventFilter,
  pageSize = 1000,
): AsyncGenerator<AuditEventRow> {
  let after: { at: number; id: string } | undefined
  for (;;) {
    const page = await listAuditEvents(db, filter, {
      limit: pageSize,
      direction: 'asc',
      ...(after ? { after } : {}),
    })
    yield* page
    const last = page.at(-1)
    if (last === undefined || page.length < pageSize) return
    after = { at: last.at, id: last.id }
  }
}

const DURATION = /^(\d{1,6})([smhd])$/
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const
// A full date, optionally with a time; a time must carry its zone, so nobody's local clock decides.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/

/**
 * Parses an instant for --since/--until and the API: an ISO 8601 date or date-time with a zone
 * ("2026-01-31", "2026-01-31T12:00:00Z"), or, when `now` is given, a duration back from now ("7d").
 * Epoch numbers are refused: nobody can tell seconds from milliseconds at a glance.
 */
export function parseInstant(text: string, now?: number): number | undefined {
  const duration = DURATION.exec(text)
  if (duration && now !== undefined) {
    return now - Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS]
  }
  if (!ISO_INSTANT.test(text)) return undefined
  const value = Date.parse(text)
  return Number.isFinite(value) ? value : undefined
}
