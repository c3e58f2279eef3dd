import { AppError, unauthorized } from '../errors.ts'
import { isUniqueViolation } from '../db/errors.ts'
import {
  findUserByCanonicalName,
  findUserById,
  insertUser,
  updateUsername,
  type UserRow,
} from '../db/users.ts'
import type { ServiceContext } from './context.ts'
import { acceptNewPassword, MAX_PASSWORD_BYTES } from './password-policy.ts'
import { newId } from './random.ts'
import { canonicalUsername, normalizeNewUsername } from './usernames.ts'

/** A user as the API shows it: never the password hash. */
export interface PublicUser {
  id: string
  username: string
  role: string
  created_at: string
  updated_at: string
}

/** Roles every installation has. */
export const ROLES = ['user', 'admin'] as const

/** Converts a stored row (or the per-request join) to what clients may see. */
export function toPublicUser(
  user: Pick<UserRow, 'id' | 'username' | 'role' | 'created_at' | 'updated_at'>,
): PublicUser {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    created_at: new Date(user.created_at).toISOString(),
    updated_at: new Date(user.updated_at).toISOString(),
  }
}

function usernameTaken(): AppError {
  return new AppError(409, 'username_taken', 'Username is already taken')
}

/** Creates an account after the password policy passes; the unique index settles parallel races. */
export async function createUser(
  context: ServiceContext,
  input: { username: string; password: string; role?: string },
): Promise<PublicUser> {
  const { display, canonical } = normalizeNewUsername(input.username)
  const password = acceptNewPassword(input.password, display)
  // A cheap early answer for the common case; the unique index below is what is actually relied on.
  if (await findUserByCanonicalName(context.db, canonical)) throw usernameTaken()
  const passwordHash = await context.passwords.hash(password)
  const now = context.clock.now()
  const user = {
    id: newId(),
    username: display,
    username_canonical: canonical,
    password_hash: passwordHash,
    role: input.role ?? 'user',
    created_at: now,
    updated_at: now,
    disabled_at: null,
    last_login_at: null,
  }
  try {
    await insertUser(context.db, user)
  } catch (error) {
    if (isUniqueViolation(error)) throw usernameTaken()
    throw error
  }
  return toPublicUser(user)
}

/** Renames the caller after re-checking their password (the seed ignored it; we require it as proof). */
export async function renameUser(
  context: ServiceContext,
  userId: string,
  input: { username: string; password: string },
): Promise<{ username: string }> {
  const user = await findUserById(context.db, userId)
  if (!user) throw unauthorized('invalid_token', 'The user no longer exists')
  if (Buffer.byteLength(input.password, 'utf8') > MAX_PASSWORD_BYTES) throw wrongPassword()
  const check = await context.passwords.verify(user.password_hash, input.password)
  if (!check.ok) throw wrongPassword()
  const { display, canonical } = normalizeNewUsername(input.username)
  if (display === user.username) return { username: display }
  try {
    await updateUsername(context.db, user.id, display, canonical, context.clock.now())
  } catch (error) {
    if (isUniqueViolation(error)) throw usernameTaken()
    throw error
  }
  return { username: display }
}

function wrongPassword(): AppError {
  return new AppError(403, 'invalid_credentials', 'Incorrect password')
}

/** Creates the configured bootstrap admin if no user has that name; never touches an existing account. */
export async function ensureBootstrapAdmin(
  context: ServiceContext,
  username: string,
  password: string,
): Promise<'created' | 'exists'> {
  if (await findUserByCanonicalName(context.db, canonicalUsername(username))) return 'exists'
  try {
    await createUser(context, { username, password, role: 'admin' })
    return 'created'
  } catch (error) {
    if (error instanceof AppError && error.code === 'username_taken') return 'exists'
    throw error
  }
}
