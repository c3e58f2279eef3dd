import { createHash } from 'node:crypto'
import type { RequestMeta } from '../audit.ts'
import { recordAuditEvent } from '../audit.ts'
import type { ServiceContext } from '../context.ts'
import { ThrottledError, ThrottleUnavailableError } from '../throttle/errors.ts'

// Counter keys never hold the address itself: the counter store (Redis, a table) is not the place
// for a list of addresses that asked for mail.
function addressCounterKey(addressKey: string): string {
  return createHash('sha256').update(addressKey, 'utf8').digest('base64url').slice(0, 32)
}

/**
 * Counts one message against the per-IP, per-account and per-address quotas and says whether it may
 * go out. A refused message is audited and simply not sent: the caller answers exactly as if it had
 * been, so the quota reveals nothing about the account. With the counter store down, nothing is sent.
 */
export async function mayQueueMail(
  context: ServiceContext,
  input: { addressKey: string; userId: string | null; meta: RequestMeta; purpose: string },
): Promise<boolean> {
  const { mail } = context.throttles
  try {
    await mail.ip.consume(input.meta.ip ?? 'unknown')
    if (input.userId !== null) await mail.account.consume(`account:${input.userId}`)
    await mail.address.consume(`address:${addressCounterKey(input.addressKey)}`)
    return true
  } catch (error) {
    if (!(error instanceof ThrottledError) && !(error instanceof ThrottleUnavailableError)) throw error
    await recordAuditEvent(context.db, context.clock.now(), input.meta, {
      action: 'email.throttled',
      outcome: 'failure',
      targetUserId: input.userId,
      details: { purpose: input.purpose, store_unavailable: error instanceof ThrottleUnavailableError },
    })
    return false
  }
}
