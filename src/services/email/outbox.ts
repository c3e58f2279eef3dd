import { insertOutboxMessage } from '../../db/email-outbox.ts'
import type { Executor } from '../../db/schema.ts'
import type { ServiceContext } from '../context.ts'
import { newId } from '../random.ts'
import { renderEmail, type EmailKind, type TemplateValues } from './templates.ts'
import type { OutgoingEmail } from './transport.ts'

/** A message to queue: who gets it, which template, and the values it shows. */
export interface QueuedEmail {
  to: string
  kind: EmailKind
  userId: string | null
  values: TemplateValues
}

/** What the sealed column holds. */
type SealedMessage = Omit<OutgoingEmail, 'id'>

/**
 * Renders a message and writes it, sealed, to the outbox in `executor`'s transaction: it exists only if
 * the change that asked for it commits, and once committed no crash loses it. The background sender
 * (services/email/sender.ts) delivers it. Returns the outbox id.
 */
export async function queueEmail(
  executor: Executor,
  context: ServiceContext,
  message: QueuedEmail,
): Promise<string> {
  const { email } = context.config
  const rendered = renderEmail(
    message.kind,
    { app_name: email.appName, ...message.values },
    email.templatesDirectory,
  )
  const sealed: SealedMessage = { to: message.to, ...rendered }
  const id = newId()
  const now = context.clock.now()
  await insertOutboxMessage(executor, {
    id,
    kind: message.kind,
    user_id: message.userId,
    sealed: context.secretBox.seal(JSON.stringify(sealed)),
    created_at: now,
    attempts: 0,
    next_attempt_at: now,
    claimed_by: null,
    claimed_until: null,
    sent_at: null,
    failed_at: null,
    last_error: null,
  })
  return id
}

/** Opens a sealed outbox message. */
export function openQueuedEmail(context: ServiceContext, id: string, sealed: string): OutgoingEmail {
  return { id, ...(JSON.parse(context.secretBox.open(sealed)) as SealedMessage) }
}

/** The minutes a link or code lives, for the message text. */
export function tokenMinutes(context: ServiceContext): string {
  return String(Math.round(context.config.email.tokenTtlSeconds / 60))
}

/** The link to a hosted page that POSTs the token; the fragment never reaches a server or its logs. */
export function pageLink(
  context: ServiceContext,
  page: 'verify-email' | 'reset-password',
  token: string,
): string {
  return `${context.config.publicUrl}/ui/${page}#token=${token}`
}
