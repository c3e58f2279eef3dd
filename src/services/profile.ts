import { unauthorized } from '../errors.ts'
import { findUserById } from '../db/users.ts'
import type { ServiceContext } from './context.ts'
import { toPublicUser, type PublicUser } from './users.ts'

/** The signed-in user's profile, read from the database (the per-request join carries no address). */
export async function getProfile(context: ServiceContext, userId: string): Promise<PublicUser> {
  const user = await findUserById(context.db, userId)
  if (!user) throw unauthorized('invalid_token', 'The user no longer exists')
  return toPublicUser(user)
}
