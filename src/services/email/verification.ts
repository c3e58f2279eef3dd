import { findLiveCodeSecret, revokeOneTimeSecrets, type OneTimeSecretRow } from '../../db/one-time-secrets.ts'
import type { Executor } from '../../db/schema.ts'
import { markEmailVerified, updateUserEmail } from '../../db/user-emails.ts'
import { findUserById } from '../../db/users.ts'
import { recordAuditEvent, type RequestMeta } from '../audit.ts'
import type { ServiceContext } from '../context.ts'
import { consumeOneTimeCode, consumeOneTimeToken } from '../one-time-secrets.ts'
import { getProfile } from '../profile.ts'
import { conflictOnUniqueViolation } from '../unique-conflict.ts'
import type { PublicUser } from '../users.ts'
import { parseEmail } from './addresses.ts'
import { emailMissing, emailTaken, invalidOrExpiredToken } from './errors.ts'
import { EMAIL_PURPOSES, mailLinkAndCode } from './issue.ts'

/**
 * POST /email/verification: sends the caller's current address a link and a code. An address already
 * verified gets nothing (there is nothing to confirm); a throttled request answers the same.
 */
export async function requestEmailVerification(
  context: ServiceContext,
  caller: { userId: string; meta: RequestMeta },
): Promise<void> {
  const user = await findUserById(context.db, caller.userId)
  if (!user) return
  if (user.email === null || user.email_key === null) throw emailMissing()
  if (user.email_verified === 1) return
  await sendVerification(context, { ...user, email: user.email, email_key: user.email_key }, caller.meta)
}

/**
 * Sends a link to an account's unverified address, throttled like any other: after registration, and
 * after a right password was refused for an unverified address (GATEHOUSE_REQUIRE_VERIFIED_EMAIL),
 * when the person cannot sign in to ask for one.
 */
export async function sendVerificationIfUnverified(
  context: ServiceContext,
  userId: string,
  meta: RequestMeta,
): Promise<void> {
  const user = await findUserById(context.db, userId)
  if (!user || user.email === null || user.email_key === null || user.email_verified === 1) return
  await sendVerification(context, { ...user, email: user.email, email_key: user.email_key }, meta)
}

/** Sends a verification message to an account's current address, unless throttled. */
export async function sendVerification(
  context: ServiceContext,
  user: { id: string; username: string; email: string; email_key: string },
  meta: RequestMeta,
): Promise<void> {
  await mailLinkAndCode(context, user.email_key, {
    user,
    purpose: EMAIL_PURPOSES.verify,
    binding: user.email,
    to: user.email,
    kind: 'verify_email',
    page: 'verify-email',
    meta,
    action: 'email.verification_requested',
  })
}

/** What POST /email/verify received: the link's token, or a code from a signed-in user. */
export type VerifyEmailInput = { token: string } | { code: string; userId: string }

/**
 * POST /email/verify: confirms the current address (verification) or makes a new one the account's
 * (email change). The token is consumed in the transaction that applies it, so a refused change (the
 * address was taken meanwhile) leaves it usable and parallel uses have exactly one winner.
 */
export async function verifyEmail(
  context: ServiceContext,
  input: VerifyEmailInput,
  meta: RequestMeta,
): Promise<PublicUser> {
  let userId: string
  if ('token' in input) {
    userId = await context.db.transaction().execute(async (trx) => {
      const row =
        (await consumeOneTimeToken(context, { purpose: EMAIL_PURPOSES.verify, token: input.token }, trx)) ??
        (await consumeOneTimeToken(context, { purpose: EMAIL_PURPOSES.change, token: input.token }, trx))
      if (!row) throw invalidOrExpiredToken()
      await applyConfirmation(trx, context, row, meta)
      return row.user_id
    })
  } else {
    userId = input.userId
    const now = context.clock.now()
    // A pending change is what a code most likely confirms; otherwise the current address.
    const pendingChange = await findLiveCodeSecret(context.db, userId, EMAIL_PURPOSES.change, now)
    const purpose = pendingChange ? EMAIL_PURPOSES.change : EMAIL_PURPOSES.verify
    const row = await consumeOneTimeCode(context, { userId, purpose, code: input.code })
    if (!row) throw invalidOrExpiredToken()
    await context.db.transaction().execute((trx) => applyConfirmation(trx, context, row, meta))
  }
  return getProfile(context, userId)
}

async function applyConfirmation(
  trx: Executor,
  context: ServiceContext,
  row: OneTimeSecretRow,
  meta: RequestMeta,
): Promise<void> {
  const now = context.clock.now()
  await conflictOnUniqueViolation(emailTaken, async () => {
    if (row.purpose === EMAIL_PURPOSES.verify) {
      // Bound to the address it was sent to: once the account has another address it verifies nothing.
      if (!(await markEmailVerified(trx, row.user_id, row.binding, now))) throw invalidOrExpiredToken()
      await recordAuditEvent(trx, now, meta, {
        action: 'email.verified',
        actorUserId: row.user_id,
        targetUserId: row.user_id,
      })
      return
    }
    const address = parseEmail(row.binding)
    if (!address) throw invalidOrExpiredToken()
    const before = await findUserById(trx, row.user_id)
    if (!before) throw invalidOrExpiredToken()
    await updateUserEmail(trx, row.user_id, address, now, now)
    // Links for the old address (verification, password reset) must not outlive it.
    for (const purpose of Object.values(EMAIL_PURPOSES)) {
      await revokeOneTimeSecrets(trx, row.user_id, now, purpose)
    }
    await recordAuditEvent(trx, now, meta, {
      action: 'email.changed',
      actorUserId: row.user_id,
      targetUserId: row.user_id,
      details: { from: before.email, to: address.address },
    })
  })
}
