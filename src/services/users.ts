import { AppError } from '../errors.ts'
import {
  findUserByCanonicalName,
  findUserByNameOrLookalike,
  insertUser,
  updateUsername,
  type UserRow,
} from '../db/users.ts'
import type { ServiceContext } from './context.ts'
import { NO_REQUEST_META, recordAuditEvent, type AuditAction, type RequestMeta } from './audit.ts'
import type { AccountCaller } from './account.ts'
import { confirmCurrentPassword } from './login/reauthenticate.ts'
import { acceptNewPassword } from './password-policy.ts'
import { requireEmail } from './email/addresses.ts'
import { newId } from './random.ts'
import { conflictOnUniqueViolation } from './unique-conflict.ts'
import { canonicalUsername, normalizeNewUsername } from './usernames.ts'

/** A user as the API shows it: never the password hash. */
export interface PublicUser {
  id: string
  username: string
  role: string
  created_at: string
  updated_at: string
  email: string | null
  email_verified: boolean
}

/** Roles every installation has. */
export const ROLES = ['user', 'admin'] as const

/** The closed set of roles this installation accepts: the built-in ones plus GATEHOUSE_ROLES. */
export function knownRoles(config: ServiceContext['config']): string[] {
  return [...new Set([...ROLES, ...config.extraRoles])]
}

/** Refuses a role outside the closed set with a 422, so a typo never creates a role nobody checks. */
export function assertKnownRole(config: ServiceContext['config'], role: string): void {
  const roles = knownRoles(config)
  if (!roles.includes(role)) {
    throw new AppError(422, 'validation_failed', `Unknown role "${role}"; known roles: ${roles.join(', ')}`)
  }
}

/** Who asked for a change, for its audit record. */
export interface AuditSource {
  meta?: RequestMeta
  actorUserId?: string | null
  action?: AuditAction
}

/** Converts a stored row (or the per-request join) to what clients may see. */
export function toPublicUser(
  user: Pick<UserRow, 'id' | 'username' | 'role' | 'created_at' | 'updated_at'> &
    Partial<Pick<UserRow, 'email' | 'email_verified'>>,
): PublicUser {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    created_at: new Date(user.created_at).toISOString(),
    updated_at: new Date(user.updated_at).toISOString(),
    email: user.email ?? null,
    email_verified: user.email_verified === 1,
  }
}

/**
 * 409 for a name that is taken, or that looks like a taken one (the same confusable skeleton): one
 * answer for both, since a lookalike is taken in every way that matters to the person reading it.
 */
export function usernameTaken(): AppError {
  return new AppError(409, 'username_taken', 'Username is already taken')
}

/**
 * Creates an account after the password policy passes; the unique index settles parallel races.
 * The user and its audit record (`user.register` unless the source says otherwise) commit together.
 */
export async function createUser(
  context: ServiceContext,
  input: { username: string; password: string; role?: string; email?: string | undefined },
  source: AuditSource = {},
): Promise<PublicUser> {
  if (input.role !== undefined) assertKnownRole(context.config, input.role)
  const { display, canonical, skeleton } = normalizeNewUsername(input.username)
  const email = input.email === undefined ? undefined : requireEmail(input.email)
  const password = acceptNewPassword(input.password, display)
  // A cheap early answer for the common case; the unique indexes below are what is actually relied on.
  if (await findUserByNameOrLookalike(context.db, canonical, skeleton)) throw usernameTaken()
  const passwordHash = await context.passwords.hash(password)
  const now = context.clock.now()
  const user = {
    id: newId(),
    username: display,
    username_canonical: canonical,
    username_skeleton: skeleton,
    password_hash: passwordHash,
    role: input.role ?? 'user',
    created_at: now,
    updated_at: now,
    disabled_at: null,
    last_login_at: null,
    // A new address is unverified: it proves nothing until its owner follows the link.
    email: email?.address ?? null,
    email_key: email?.key ?? null,
    email_verified: 0,
    email_verified_at: null,
  }
  await conflictOnUniqueViolation(usernameTaken, () =>
    context.db.transaction().execute(async (trx) => {
      await insertUser(trx, user)
      await recordAuditEvent(trx, now, source.meta ?? NO_REQUEST_META, {
        action: source.action ?? 'user.register',
        actorUserId: source.actorUserId === undefined ? user.id : source.actorUserId,
        targetUserId: user.id,
        details: { username: display, role: user.role },
      })
    }),
  )
  return toPublicUser(user)
}

/** Renames the caller after re-checking their password (the seed ignored it; we require it as proof). */
export async function renameUser(
  context: ServiceContext,
  caller: AccountCaller,
  input: { username: string; password: string },
): Promise<{ username: string }> {
  const { meta } = caller
  const user = await confirmCurrentPassword(context, { ...caller, password: input.password })
  const name = normalizeNewUsername(input.username)
  const { display } = name
  if (display === user.username) return { username: display }
  const now = context.clock.now()
  await conflictOnUniqueViolation(usernameTaken, () =>
    context.db.transaction().execute(async (trx) => {
      await updateUsername(trx, user.id, { username: display, ...name }, now)
      await recordAuditEvent(trx, now, meta, {
        action: 'username.change',
        actorUserId: user.id,
        targetUserId: user.id,
        details: { from: user.username, to: display },
      })
    }),
  )
  return { username: display }
}

/**
 * Creates a user unless one with that name exists, and never touches an existing account (not its
 * password, not its role): used for GATEHOUSE_ADMIN_* at start-up and by `gatehouse users create`,
 * so running either twice is harmless.
 */
export async function ensureUser(
  context: ServiceContext,
  input: { username: string; password: string; role: string },
  action: AuditAction,
): Promise<'created' | 'exists'> {
  if (await findUserByCanonicalName(context.db, canonicalUsername(input.username))) return 'exists'
  try {
    await createUser(context, input, { action, actorUserId: null })
    return 'created'
  } catch (error) {
    // 'exists' only when that very name exists (a parallel creation won); a lookalike of another
    // account's name is the 409 it is, never reported as "left unchanged".
    const taken = error instanceof AppError && error.code === 'username_taken'
    if (taken && (await findUserByCanonicalName(context.db, canonicalUsername(input.username))))
      return 'exists'
    throw error
  }
}

/** Creates the configured bootstrap admin if no user has that name; never touches an existing account. */
export async function ensureBootstrapAdmin(
  context: ServiceContext,
  username: string,
  password: string,
): Promise<'created' | 'exists'> {
  return ensureUser(context, { username, password, role: 'admin' }, 'user.bootstrap')
}
