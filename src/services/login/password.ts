import type { ServiceContext } from '../context.ts'
import { assertWellFormed } from '../well-formed.ts'
import { completeLogin } from './complete.ts'
import { checkPassword } from './credentials.ts'
import { withLoginThrottle } from './throttled.ts'
import { issueDeviceToken, readDeviceToken, type DeviceClaims } from './device-tokens.ts'
import { findLoginAccount } from './identify.ts'
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
  const device = await trustedDevice(context, attempt)
  const user = await withLoginThrottle(
    context,
    {
      username: attempt.identifier,
      meta: attempt.meta,
      onRateLimit: attempt.onRateLimit,
      deviceId: device?.deviceId,
    },
    () => checkPassword(context, attempt),
  )
  const result = await completeLogin(
    context,
    user,
    { methods: ['pwd'], authenticatedAt: context.clock.now() },
    attempt.meta,
  )
  if (result.kind !== 'tokens') return result
  // Proven with the password: this client becomes a trusted device of the account (a fresh token each time).
  return { ...result, pair: { ...result.pair, deviceToken: issueDeviceToken(context, user.id) } }
}

/**
 * The presented device token, if it is valid and belongs to the account the identifier names. The
 * account is looked up only for a token whose MAC checks out, which nobody but a past client of that
 * account holds; a forged token, or another account's, costs nothing and changes nothing: the attempt
 * is then an untrusted one like any other, so throttled answers stay the same for every name.
 */
async function trustedDevice(
  context: ServiceContext,
  attempt: PasswordLoginAttempt,
): Promise<DeviceClaims | undefined> {
  const claims = readDeviceToken(context, attempt.deviceToken)
  if (claims === undefined) return undefined
  const account = await findLoginAccount(context, attempt.identifier)
  return account?.id === claims.userId ? claims : undefined
}
