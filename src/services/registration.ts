import type { RequestMeta } from './audit.ts'
import type { ServiceContext } from './context.ts'
import { recordThrottled } from './login/audit.ts'
import { ThrottledError } from './throttle/errors.ts'
import type { RateLimitSink } from './throttle/rate-limit-info.ts'
import { createUser, type PublicUser } from './users.ts'

/**
 * Self-service registration (POST /register): counted per IP before any work, so a script cannot
 * mint accounts or probe names without limit, then the account is created.
 */
export async function registerAccount(
  context: ServiceContext,
  input: { username: string; password: string },
  meta: RequestMeta,
  onRateLimit?: RateLimitSink,
): Promise<PublicUser> {
  const limit = await context.throttles.register
    .consume(meta.ip ?? 'unknown')
    .catch(async (error: unknown) => {
      if (error instanceof ThrottledError) {
        await recordThrottled(context, meta, { scope: 'ip', retryAfterSeconds: error.retryAfterSeconds })
      }
      throw error
    })
  onRateLimit?.(limit)
  return createUser(context, input, { meta })
}
