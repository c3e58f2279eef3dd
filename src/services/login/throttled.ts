import { AppError } from '../../errors.ts'
import type { RequestMeta } from '../audit.ts'
import type { ServiceContext } from '../context.ts'
import { ThrottledError } from '../throttle/errors.ts'
import type { RateLimitSink } from '../throttle/rate-limit-info.ts'
import { canonicalUsername } from '../usernames.ts'
import { recordThrottled } from './audit.ts'

/**
 * Runs a password check under the brute-force throttle shared by /login, /token and every re-check of
 * the current password, for the account `attempt.username` names. The attempt is counted before the
 * hash is checked (and given back on success), so parallel guesses cannot slip past the count. A
 * throttled attempt is refused with ThrottledError whatever the password, and whether or not the
 * account exists. A check failing with `invalid_credentials` counts as a failure; any other error
 * (server busy, database down, a policy refusal) gives the attempt back.
 */
export async function withLoginThrottle<T>(
  context: ServiceContext,
  attempt: {
    username: string
    meta: RequestMeta
    onRateLimit?: RateLimitSink | undefined
    /** The id of a device token already verified for this account: counted on that device instead. */
    deviceId?: string | undefined
  },
  check: () => Promise<T>,
): Promise<T> {
  const throttle = context.throttles.login
  const ticket = await throttle
    .begin(canonicalUsername(attempt.username), attempt.meta.ip ?? 'unknown', attempt.deviceId)
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
  attempt.onRateLimit?.(ticket.rateLimit)
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
