import type { ServiceContext } from '../context.ts'
import { assertWellFormed } from '../well-formed.ts'
import { completeLogin } from './complete.ts'
import { checkPassword } from './credentials.ts'
import { withLoginThrottle } from './throttled.ts'
import type { LoginResult, PasswordLoginAttempt } from './types.ts'

/**
 * Signs in with an identifier and password: /login and the /token password grant both call this.
 * Throttle, uniform check, then the shared completion.
 */
export async function logInWithPassword(
  context: ServiceContext,
  attempt: PasswordLoginAttempt,
): Promise<LoginResult> {
  // Refused before the throttle, for every name alike: such input can name no account and match no
  // password we would have accepted, and it must not count as anyone's failed attempt.
  assertWellFormed(attempt.identifier, 'Username')
  assertWellFormed(attempt.password, 'Password')
  const user = await withLoginThrottle(
    context,
    { username: attempt.identifier, meta: attempt.meta, onRateLimit: attempt.onRateLimit },
    () => checkPassword(context, attempt),
  )
  return completeLogin(
    context,
    user,
    { methods: ['pwd'], authenticatedAt: context.clock.now() },
    attempt.meta,
  )
}
