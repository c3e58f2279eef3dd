import { findUserByVerifiedEmailKey } from '../../db/user-emails.ts'
import { findUserByCanonicalName, type UserRow } from '../../db/users.ts'
import type { ServiceContext } from '../context.ts'
import { emailKey } from '../email/addresses.ts'
import { canonicalUsername } from '../usernames.ts'

/**
 * The account a login names. The one place that decides which identifiers sign in: a *verified* email
 * address (an unverified one proves nothing: anyone can type someone else's address at registration),
 * then a username. The address is tried first because only its owner could have verified it, while
 * anyone may pick a username that looks like an address.
 */
export async function findLoginAccount(
  context: ServiceContext,
  identifier: string,
): Promise<UserRow | undefined> {
  const key = identifier.includes('@') ? emailKey(identifier) : undefined
  if (key !== undefined) {
    const byEmail = await findUserByVerifiedEmailKey(context.db, key)
    if (byEmail) return byEmail
  }
  return findUserByCanonicalName(context.db, canonicalUsername(identifier))
}
