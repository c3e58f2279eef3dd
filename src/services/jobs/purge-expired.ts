import { purgeAuditEventsBefore } from '../../db/audit.ts'
import { purgeOutbox } from '../../db/email-outbox.ts'
import { purgeOneTimeSecrets } from '../../db/one-time-secrets.ts'
import { purgeExpiredSessions } from '../../db/sessions.ts'
import { purgeWebauthnChallenges } from '../../db/webauthn.ts'
import type { ServiceContext } from '../context.ts'

const DAY_MS = 86_400_000

/**
 * Deletes what can never be used again: expired sessions (with, by cascade, their refresh tokens) and
 * ended one-time secrets, and outbox messages delivered or given up a week ago. Idempotent, so every instance may run it without a lease.
 */
export async function purgeExpiredRecords(
  context: ServiceContext,
): Promise<{ sessions: number; oneTimeSecrets: number; outbox: number }> {
  const now = context.clock.now()
  const sessions = await purgeExpiredSessions(context.db, now)
  // WebAuthn challenges are one-time secrets too (a table of their own: they may have no user yet).
  const oneTimeSecrets =
    (await purgeOneTimeSecrets(context.db, now)) + (await purgeWebauthnChallenges(context.db, now))
  // Delivered (or given-up) messages are kept a week for support questions, then dropped.
  const outbox = await purgeOutbox(context.db, now - 7 * DAY_MS)
  return { sessions, oneTimeSecrets, outbox }
}

/** Deletes audit events older than GATEHOUSE_AUDIT_RETENTION_DAYS; idempotent, so no lease is needed. */
export async function purgeAuditEventsPastRetention(context: ServiceContext): Promise<number> {
  const { clock, config, db } = context
  return purgeAuditEventsBefore(db, clock.now() - config.auditRetentionDays * DAY_MS)
}
