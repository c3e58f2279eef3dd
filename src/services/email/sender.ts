import {
  claimOutboxMessage,
  listDueOutboxIds,
  markOutboxAttemptFailed,
  markOutboxSent,
} from '../../db/email-outbox.ts'
import { tryAcquireLease } from '../../db/leases.ts'
import { NO_REQUEST_META, recordAuditEvent } from '../audit.ts'
import type { ServiceContext } from '../context.ts'
import { openQueuedEmail } from './outbox.ts'
import { describeSendError, mailTransport } from './transport.ts'

const LEASE_NAME = 'email-outbox'
// Long enough for a batch of slow sends; a dead holder's lease lapses after it.
const LEASE_MS = 60_000
// Longer than one send may take (10 s connect + 10 s greeting + 30 s socket), so a claim never lapses
// while its message is still being sent.
const CLAIM_MS = 120_000
const BATCH = 20
/** Attempts before a message is given up. */
export const MAX_SEND_ATTEMPTS = 10
const FIRST_RETRY_MS = 30_000
const MAX_RETRY_MS = 3_600_000

/** What one pass of the sender did. */
export interface OutboxPass {
  sent: number
  failed: number
  /** Files written by the file transport (no SMTP server configured). */
  files: string[]
}

/** Delay before attempt `attempt + 1` after `attempt` failures: 30 s, doubling, at most an hour. */
export function retryDelayMs(attempt: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempt - 1), MAX_RETRY_MS)
}

/**
 * One pass of the background sender. It reads what is due first (most passes find nothing and write
 * nothing), then takes the outbox lease so one instance sends at a time, and claims each message with
 * a conditional update before sending, so even a sender whose lease lapsed mid-batch never sends a
 * message another sender holds. Failures are retried with backoff; after MAX_SEND_ATTEMPTS the message
 * is given up and audited.
 */
export async function sendDueEmails(context: ServiceContext, holder: string): Promise<OutboxPass> {
  const pass: OutboxPass = { sent: 0, failed: 0, files: [] }
  const { db, clock } = context
  let now = clock.now()
  const due = await listDueOutboxIds(db, now, BATCH)
  if (due.length === 0) return pass
  if (!(await tryAcquireLease(db, LEASE_NAME, holder, now, now + LEASE_MS))) return pass
  const transport = mailTransport(context.config.email)
  for (const id of due) {
    now = clock.now()
    const row = await claimOutboxMessage(db, id, holder, now, now + CLAIM_MS)
    if (!row) continue
    try {
      const { file } = await transport.send(openQueuedEmail(context, row.id, row.sealed))
      now = clock.now()
      await db.transaction().execute(async (trx) => {
        await markOutboxSent(trx, row.id, holder, now)
        await recordAuditEvent(trx, now, NO_REQUEST_META, {
          action: 'email.sent',
          targetUserId: row.user_id,
          details: { kind: row.kind, message_id: row.id, transport: transport.kind },
        })
      })
      pass.sent += 1
      if (file !== undefined) {
        pass.files.push(file)
        // The file name only: the message holds a live link and code.
        context.log.info({ file, kind: row.kind }, 'email written to the outbox folder (no SMTP configured)')
      }
    } catch (error) {
      context.metrics.emailSendFailures.inc()
      now = clock.now()
      const attempts = row.attempts + 1
      const givenUp = attempts >= MAX_SEND_ATTEMPTS
      const reason = describeSendError(error)
      await markOutboxAttemptFailed(db, row.id, holder, {
        error: reason,
        nextAttemptAt: now + retryDelayMs(attempts),
        failedAt: givenUp ? now : null,
      })
      if (givenUp) {
        await recordAuditEvent(db, now, NO_REQUEST_META, {
          action: 'email.failed',
          outcome: 'failure',
          targetUserId: row.user_id,
          details: { kind: row.kind, message_id: row.id, attempts, reason },
        })
      }
      pass.failed += 1
      context.log.warn({ kind: row.kind, messageId: row.id, attempts, reason }, 'email delivery failed')
    }
  }
  return pass
}
