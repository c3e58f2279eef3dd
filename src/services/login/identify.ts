import { findUserByCanonicalName, type UserRow } from '../../db/users.ts'
import type { ServiceContext } from '../context.ts'
import { canonicalUsername } from '../usernames.ts'

/**
 * The account a login names. The one place that decides which identifiers sign in: a username today;
 * a verified email address is another branch here, never a second login path.
 */
export async function findLoginAccount(
  context: ServiceContext,
  identifier: string,
): Promise<UserRow | undefined> {
  return findUserByCanonicalName(context.db, canonicalUsername(identifier))
}
