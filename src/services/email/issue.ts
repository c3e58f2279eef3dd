import { revokeOneTimeSecrets } from '../../db/one-time-secrets.ts'
import type { Executor } from '../../db/schema.ts'
import { recordAuditEvent, type AuditAction, type RequestMeta } from '../audit.ts'
import type { ServiceContext } from '../context.ts'
import { issueOneTimeSecret } from '../one-time-secrets.ts'
import { mayQueueMail } from './mail-throttle.ts'
import { pageLink, queueEmail, tokenMinutes } from './outbox.ts'
import type { EmailKind } from './templates.ts'

/** The one-time-secret purposes of issue 11; a secret of one never works for another. */
export const EMAIL_PURPOSES = {
  /** Confirms the account's current address; bound to that address as typed. */
  verify: 'email_verify',
  /** Confirms a new address; bound to the new address as typed, which becomes the account's. */
  change: 'email_change',
  /** Resets the password; bound to the verified address's key it was sent to. */
  reset: 'password_reset',
} as const

/** What {@link issueLinkAndCode} sends, to whom, and how it is audited. */
export interface LinkAndCode {
  user: { id: string; username: string }
  purpose: (typeof EMAIL_PURPOSES)[keyof typeof EMAIL_PURPOSES]
  binding: string
  to: string
  kind: EmailKind
  page: 'verify-email' | 'reset-password'
  meta: RequestMeta
  action: AuditAction
  actorUserId?: string | null
}

/**
 * Issues a link token and a six-digit code and queues the message carrying them, in `trx`. Earlier
 * live secrets of the same purpose end first: only the newest message works, so an old message found
 * later in an inbox is no way in. The audit record names the purpose, never the token or code.
 */
export async function issueLinkAndCode(
  trx: Executor,
  context: ServiceContext,
  input: LinkAndCode,
): Promise<void> {
  const now = context.clock.now()
  await revokeOneTimeSecrets(trx, input.user.id, now, input.purpose)
  const secret = await issueOneTimeSecret(trx, context, {
    userId: input.user.id,
    purpose: input.purpose,
    ttlSeconds: context.config.email.tokenTtlSeconds,
    binding: input.binding,
    withCode: true,
  })
  await queueEmail(trx, context, {
    to: input.to,
    kind: input.kind,
    userId: input.user.id,
    values: {
      username: input.user.username,
      link: pageLink(context, input.page, secret.token),
      code: secret.code ?? '',
      minutes: tokenMinutes(context),
    },
  })
  await recordAuditEvent(trx, now, input.meta, {
    action: input.action,
    actorUserId: input.actorUserId === undefined ? input.user.id : input.actorUserId,
    targetUserId: input.user.id,
    details: { purpose: input.purpose },
  })
}

/**
 * Counts the message against the mail quotas (per IP, per account, per `addressKey`) and, unless they
 * refuse it, issues the link and code and queues the message in a transaction of its own, with
 * `alongside` in the same transaction. Returns whether the message was queued; a refusal is audited.
 */
export async function mailLinkAndCode(
  context: ServiceContext,
  addressKey: string,
  input: LinkAndCode,
  alongside?: (trx: Executor) => Promise<void>,
): Promise<boolean> {
  const allowed = await mayQueueMail(context, {
    addressKey,
    userId: input.user.id,
    meta: input.meta,
    purpose: input.purpose,
  })
  if (!allowed) return false
  await context.db.transaction().execute(async (trx) => {
    await issueLinkAndCode(trx, context, input)
    await alongside?.(trx)
  })
  return true
}
