import { findUserByVerifiedEmailKey } from '../../db/user-emails.ts'
import { findUserByCanonicalName, type UserRow } from '../../db/users.ts'
import { recordAuditEvent, type RequestMeta } from '../audit.ts'
import type { ServiceContext } from '../context.ts'
import { canonicalUsername } from '../usernames.ts'
import { emailKey } from './addresses.ts'
import { EMAIL_PURPOSES, mailLinkAndCode } from './issue.ts'

/** What POST /password/forgot received. */
export type ForgotPasswordInput = { email: string } | { username: string }

// Background lookups in flight per process. Past this, further requests are dropped (and logged): a
// flood must not grow memory without bound, and the answer is the same either way.
const MAX_PENDING = 64
/**
 * Milliseconds every answer of POST /password/forgot takes. A real-time delay, not a clock reading: it
 * shapes the answer's timing, so it must not move with a test's manual clock.
 */
export const FORGOT_PASSWORD_FLOOR_MS = 50
const pendingByContext = new WeakMap<ServiceContext, Set<Promise<void>>>()

function pending(context: ServiceContext): Set<Promise<void>> {
  let set = pendingByContext.get(context)
  if (!set) {
    set = new Set()
    pendingByContext.set(context, set)
  }
  return set
}

/**
 * POST /password/forgot. The lookup, the throttles and the queueing run in the background, and the
 * answer (always the same 202) comes after a fixed floor of FORGOT_PASSWORD_FLOOR_MS, by which time the
 * background work is normally done: the answer and its timing are the same for an existing, unknown,
 * unverified or throttled account, and work that runs long never shows in the answer either.
 */
export async function requestPasswordReset(
  context: ServiceContext,
  input: ForgotPasswordInput,
  meta: RequestMeta,
): Promise<void> {
  const answer = new Promise<void>((resolve) => setTimeout(resolve, FORGOT_PASSWORD_FLOOR_MS))
  const work = pending(context)
  if (work.size >= MAX_PENDING) {
    context.log.warn('password reset requests are arriving faster than they are handled; one was dropped')
    return answer
  }
  // Detached from the request: the answer waits for the floor, never for this work.
  const task = new Promise<void>((resolve) => setImmediate(resolve))
    .then(() => handleResetRequest(context, input, meta))
    .catch((error: unknown) => context.log.warn({ err: error }, 'password reset request failed'))
    .finally(() => work.delete(task))
  work.add(task)
  return answer
}

/** Waits for the background reset requests of this context (on close, and in tests). */
export async function settlePasswordResetRequests(context: ServiceContext): Promise<void> {
  while (pending(context).size > 0) await Promise.allSettled([...pending(context)])
}

async function findResetAccount(
  context: ServiceContext,
  input: ForgotPasswordInput,
): Promise<UserRow | undefined> {
  if ('email' in input) {
    const key = emailKey(input.email)
    return key === undefined ? undefined : findUserByVerifiedEmailKey(context.db, key)
  }
  return findUserByCanonicalName(context.db, canonicalUsername(input.username))
}

async function handleResetRequest(
  context: ServiceContext,
  input: ForgotPasswordInput,
  meta: RequestMeta,
): Promise<void> {
  const user = await findResetAccount(context, input)
  const email = user?.disabled_at === null && user.email_verified === 1 ? user.email : null
  const key = user?.email_key ?? null
  if (user === undefined || email === null || key === null) {
    // Audited, so probing for accounts shows up; the named input is not kept (it may be anyone's address).
    await recordAuditEvent(context.db, context.clock.now(), meta, {
      action: 'password.reset_requested',
      outcome: 'failure',
      targetUserId: user?.id ?? null,
      details: {
        by: 'email' in input ? 'email' : 'username',
        reason: user ? 'no_verified_email' : 'unknown',
      },
    })
    // The per-IP quota still counts: a script probing names spends it like anyone else.
    await context.throttles.mail.ip.consume(meta.ip ?? 'unknown').catch(() => undefined)
    return
  }
  await mailLinkAndCode(context, key, {
    user,
    purpose: EMAIL_PURPOSES.reset,
    binding: key,
    to: email,
    kind: 'password_reset',
    page: 'reset-password',
    meta,
    action: 'password.reset_requested',
  })
}
