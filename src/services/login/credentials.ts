import { invalidCredentials } from '../../errors.ts'
import { replacePasswordHash, type UserRow } from '../../db/users.ts'
import type { ServiceContext } from '../context.ts'
import { MAX_PASSWORD_BYTES } from '../password-policy.ts'
import { recordLoginFailure, type LoginFailureReason } from './audit.ts'
import { findLoginAccount } from './identify.ts'
import type { PasswordLoginAttempt } from './types.ts'

/**
 * Checks an identifier and password. Unknown user, wrong password and disabled account take the same
 * path and the same work (one hash verify, against a dummy when there is no user) and fail alike,
 * so neither the answer nor its timing reveals which accounts exist.
 */
export async function checkPassword(
  context: ServiceContext,
  attempt: Pick<PasswordLoginAttempt, 'identifier' | 'password' | 'meta'> &
    Partial<Pick<PasswordLoginAttempt, 'channel'>>,
): Promise<UserRow> {
  const { identifier, password, meta, channel } = attempt
  const fail = async (reason: LoginFailureReason, userId: string | null = null): Promise<never> => {
    await recordLoginFailure(context, meta, {
      username: identifier,
      userId,
      reason,
      ...(channel ? { grant: channel } : {}),
    })
    throw invalidCredentials()
  }
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return fail('password_too_long')
  const user = await findLoginAccount(context, identifier)
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
  await replacePasswordHash(context.db, user.id, user.password_hash, newHash, context.clock.now())
}
