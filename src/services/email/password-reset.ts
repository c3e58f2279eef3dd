import { revokeOneTimeSecrets } from '../../db/one-time-secrets.ts'
import { revokeUserSessions } from '../../db/sessions.ts'
import { findUserByVerifiedEmailKey } from '../../db/user-emails.ts'
import { findUserById, updatePasswordHash, type UserRow } from '../../db/users.ts'
import { recordAuditEvent, type RequestMeta } from '../audit.ts'
import type { ServiceContext } from '../context.ts'
import { consumeOneTimeCode, consumeOneTimeToken, findLiveOneTimeToken } from '../one-time-secrets.ts'
import { acceptNewPassword } from '../password-policy.ts'
import { emailKey } from './addresses.ts'
import { invalidOrExpiredToken } from './errors.ts'
import { EMAIL_PURPOSES } from './issue.ts'
import { queueEmail } from './outbox.ts'

/** What POST /password/reset received: the link's token, or the address and the code. */
export type ResetPasswordInput =
  { token: string; new_password: string } | { email: string; code: string; new_password: string }

/** True when the account may still reset by mail: enabled, with the same verified address. */
function stillBound(user: UserRow | undefined, binding: string): user is UserRow {
  return (
    user !== undefined && user.disabled_at === null && user.email_verified === 1 && user.email_key === binding
  )
}

/**
 * POST /password/reset. The new password passes the policy before the token or code is used, so a
 * refused password leaves the link working; then the secret is consumed in the transaction that sets
 * the password (of parallel uses exactly one wins), every session is revoked, every other reset link
 * dies, and a "your password was changed" notice is queued.
 */
export async function resetPassword(
  context: ServiceContext,
  input: ResetPasswordInput,
  meta: RequestMeta,
): Promise<{ revokedSessions: number }> {
  const now = context.clock.now()
  let user: UserRow
  let consume: (trx: Parameters<typeof updatePasswordHash>[0]) => Promise<boolean>
  let password: string
  if ('token' in input) {
    const row = await findLiveOneTimeToken(
      context,
      { purpose: EMAIL_PURPOSES.reset, token: input.token },
      now,
    )
    const owner = row && (await findUserById(context.db, row.user_id))
    if (!row || !stillBound(owner, row.binding)) throw invalidOrExpiredToken()
    user = owner
    password = acceptNewPassword(input.new_password, user.username)
    const { token } = input
    consume = async (trx) =>
      (await consumeOneTimeToken(
        context,
        { purpose: EMAIL_PURPOSES.reset, token, binding: row.binding },
        trx,
      )) !== undefined
  } else {
    // The policy without the username first: a weak password is refused alike for every address, so
    // this answer says nothing about which addresses have accounts.
    acceptNewPassword(input.new_password, '')
    const key = emailKey(input.email)
    const owner = key === undefined ? undefined : await findUserByVerifiedEmailKey(context.db, key)
    if (!owner || key === undefined || !stillBound(owner, key)) throw invalidOrExpiredToken()
    const row = await consumeOneTimeCode(context, {
      userId: owner.id,
      purpose: EMAIL_PURPOSES.reset,
      code: input.code,
      binding: key,
    })
    if (!row) throw invalidOrExpiredToken()
    user = owner
    password = acceptNewPassword(input.new_password, user.username)
    consume = () => Promise.resolve(true)
  }
  const passwordHash = await context.passwords.hash(password)
  const revokedSessions = await context.db.transaction().execute(async (trx) => {
    if (!(await consume(trx))) throw invalidOrExpiredToken()
    const at = context.clock.now()
    await updatePasswordHash(trx, user.id, passwordHash, at)
    const revoked = await revokeUserSessions(trx, user.id, at, 'password_reset')
    await revokeOneTimeSecrets(trx, user.id, at, EMAIL_PURPOSES.reset)
    if (user.email !== null) {
      await queueEmail(trx, context, {
        to: user.email,
        kind: 'password_changed',
        userId: user.id,
        values: { username: user.username },
      })
    }
    await recordAuditEvent(trx, at, meta, {
      action: 'password.reset',
      actorUserId: user.id,
      targetUserId: user.id,
      details: { revoked_sessions: revoked, via: 'token' in input ? 'link' : 'code' },
    })
    return revoked
  })
  return { revokedSessions }
}
