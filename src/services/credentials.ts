import { AppError, invalidCredentials } from '../errors.ts'
import { findUserByCanonicalName, replacePasswordHashIfUnchanged, type UserRow } from '../db/users.ts'
import { recordLoginFailure, recordThrottled, type LoginFailureReason, type RequestMeta } from './audit.ts'
import type { ServiceContext } from './context.ts'
import { MAX_PASSWORD_BYTES } from './password-policy.ts'
import { ThrottledError } from './throttle/errors.ts'
import type { LoginThrottle } from './throttle/login-throttle.ts'
import type { RateLimitInfo } from './throttle/rate-limit-info.ts'
import { canonicalUsername } from './usernames.ts'

/** A password login as /login and the /token password grant receive it. */
export interface LoginAttempt {
  username: string
  password: string
  meta: RequestMeta
  grant: 'login' | 'token'
}

export async function logIn(
  context: ServiceContext,
  throttle: LoginThrottle,
  attempt: LoginAttempt,
  onRateLimit: (info: RateLimitInfo) => void,
): Promise<UserRow> {
  return withPasswordThrottle(context, throttle, attempt, onRateLimit, () =>
    verifyCredentials(context, attempt),
  )
}

/**
 * Runs a password check under the brute-force throttle shared by /login and /token, for the account
 * `attempt.username` names. The attempt is counted before the hash is checked (and given back on
 * success), so parallel guesses cannot slip past the count. A throttled attempt is refused with
 * ThrottledError whatever the password, and whether or not the account exists; `onRateLimit` receives
 * the quota for the RateLimit-* headers. A check failing with `invalid_credentials` counts as a failure.
 * Re-checks of the current password (rename, password change, deletion) go through here too, so a
 * stolen access token cannot be used to guess the password without limit.
 */
export async function withPasswordThrottle<T>(
  context: ServiceContext,
  throttle: LoginThrottle,
  attempt: { username: string; meta: RequestMeta },
  onRateLimit: (info: RateLimitInfo) => void,
  check: () => Promise<T>,
): Promise<T> {
  const ticket = await throttle
    .begin(canonicalUsername(attempt.username), attempt.meta.ip ?? 'unknown')
    .catch(async (error: unknown) => {
      if (error instanceof ThrottledError) {
        await recordThrottled(context, attempt.meta, {
          username: attempt.username,
          scope: error.scope,
          retryAfterSeconds: error.retryAfterSeconds,
        })
      }
      throw error
    })
  onRateLimit(ticket.rateLimit)
  let result: T
  try {
    result = await check()
  } catch (error) {
    if (error instanceof AppError && error.code === 'invalid_credentials') await throttle.failure(ticket)
    else await throttle.release(ticket)
    throw error
  }
  await throttle.success(ticket)
  return result
}

/**
 * Checks a username and password. Unknown user, wrong password and disabled account take the same
 * path and the same work (one hash verify, against a dummy when there is no user) and fail alike,
 * so neither the answer nor its timing reveals which usernames exist.
 */
export async function verifyCredentials(
  context: ServiceContext,
  attempt: Omit<LoginAttempt, 'grant'> & { grant?: LoginAttempt['grant'] },
): Promise<UserRow> {
  const { username, password, meta, grant } = attempt
  const fail = async (reason: LoginFailureReason, userId: string | null = null): Promise<never> => {
    await recordLoginFailure(context, meta, { username, userId, reason, ...(grant ? { grant } : {}) })
    throw invalidCredentials()
  }
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return fail('password_too_long')
  const user = await findUserByCanonicalName(context.db, canonicalUsername(username))
  if (!user) {
    await context.passwords.verifyDummy(password)
    return fail('unknown_user')
  }
  const check = await context.passwords.verify(user.password_hash, password)
  if (!check.ok) return fail('wrong_password', user.id)
  if (user.disabled_at !== null) return fail('disabled', user.id)
  if (check.needsRehash) await upgradePasswordHash(context, user, password)
  return user
}

/** Re-hashes a legacy (bcrypt) or outdated argon2 hash with the current argon2id parameters. */
async function upgradePasswordHash(context: ServiceContext, user: UserRow, password: string): Promise<void> {
  const newHash = await context.passwords.hash(password.normalize('NFKC'))
  // Conditional on the old hash: a parallel login that upgraded first wins, and ours is dropped.
  await replacePasswordHashIfUnchanged(context.db, user.id, user.password_hash, newHash, context.clock.now())
}
