import { AppError } from '../errors.ts'
import type { RequestMeta } from './audit.ts'
import { sendVerificationIfUnverified } from './email/verification.ts'
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
  input: { username: string; password: string; email?: string | undefined },
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
  if (context.config.email.requireEmail && input.email === undefined) {
    throw new AppError(422, 'validation_failed', 'An email address is required')
  }
  const user = await createUser(context, input, { meta })
  if (input.email !== undefined) await sendFirstVerification(context, user.id, meta)
  return user
}

// The account exists whatever happens to its first message: a failure here is logged, and the person
// can ask again (POST /email/verification), or is sent one on a refused login.
async function sendFirstVerification(
  context: ServiceContext,
  userId: string,
  meta: RequestMeta,
): Promise<void> {
  try {
    await sendVerificationIfUnverified(context, userId, meta)
  } catch (error) {
    context.log.warn({ err: error }, 'could not queue the verification message of a new account')
  }
}
