import { AppError, unauthorized } from '../../errors.ts'
import { findUserById, type UserRow } from '../../db/users.ts'
import type { RequestMeta } from '../audit.ts'
import type { ServiceContext } from '../context.ts'
import { MAX_PASSWORD_BYTES } from '../password-policy.ts'
import type { RateLimitSink } from '../throttle/rate-limit-info.ts'
import { assertWellFormed } from '../well-formed.ts'
import { withLoginThrottle } from './throttled.ts'

/** The signed-in person re-proving their password before a sensitive change. */
export interface CurrentPasswordCheck {
  userId: string
  /** The name the throttle counts under: the same account counter as logins. */
  username: string
  password: string
  meta: RequestMeta
  onRateLimit?: RateLimitSink | undefined
}

/**
 * Checks the caller's current password (rename, password change, deletion) under the login throttle
 * of their account, so a stolen access token is no password oracle. Returns the user's row.
 */
export async function confirmCurrentPassword(
  context: ServiceContext,
  check: CurrentPasswordCheck,
): Promise<UserRow> {
  assertWellFormed(check.password, 'Password')
  return withLoginThrottle(context, check, async () => {
    const user = await findUserById(context.db, check.userId)
    if (!user) throw unauthorized('invalid_token', 'The user no longer exists')
    const ok =
      Buffer.byteLength(check.password, 'utf8') <= MAX_PASSWORD_BYTES &&
      (await context.passwords.verify(user.password_hash, check.password)).ok
    if (!ok) throw new AppError(403, 'invalid_credentials', 'Incorrect password')
    return user
  })
}
