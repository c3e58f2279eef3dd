import type { Insertable, Selectable } from 'kysely'
import type { Executor, UsersTable } from './schema.ts'

/** A stored user row. Never send it to a client as it is: it holds the password hash. */
export type UserRow = Selectable<UsersTable>

/** Inserts a user; a taken canonical username raises a unique violation. */
export async function insertUser(db: Executor, user: Insertable<UsersTable>): Promise<void> {
  await db.insertInto('users').values(user).execute()
}

/** Finds a user by id. */
export async function findUserById(db: Executor, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Finds a user by the canonical form of a username. */
export async function findUserByCanonicalName(db: Executor, canonical: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('username_canonical', '=', canonical).executeTakeFirst()
}

/** Lists users in creation order. */
export async function listUsers(db: Executor, limit: number): Promise<UserRow[]> {
  return db.selectFrom('users').selectAll().orderBy('created_at').orderBy('id').limit(limit).execute()
}

/** Renames a user; a taken canonical username raises a unique violation. */
export async function updateUsername(
  db: Executor,
  id: string,
  username: string,
  canonical: string,
  now: number,
): Promise<void> {
  await db
    .updateTable('users')
    .set({ username, username_canonical: canonical, updated_at: now })
    .where('id', '=', id)
    .execute()
}

/**
 * Replaces a password hash only if it is still the one we verified against. Two parallel logins that
 * both upgrade a legacy hash then cannot interleave: the second update matches no row and is dropped,
 * and the stored hash is always one whole, valid hash.
 */
export async function replacePasswordHashIfUnchanged(
  db: Executor,
  id: string,
  expectedHash: string,
  newHash: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ password_hash: newHash, updated_at: now })
    .where('id', '=', id)
    .where('password_hash', '=', expectedHash)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/** Sets a new password hash (the caller has already proved the old password). */
export async function updatePasswordHash(
  db: Executor,
  id: string,
  passwordHash: string,
  now: number,
): Promise<void> {
  await db
    .updateTable('users')
    .set({ password_hash: passwordHash, updated_at: now })
    .where('id', '=', id)
    .execute()
}

/** Records a successful login time. */
export async function touchLastLogin(db: Executor, id: string, now: number): Promise<void> {
  await db.updateTable('users').set({ last_login_at: now }).where('id', '=', id).execute()
}

/** Disables or re-enables a user. */
export async function setUserDisabled(db: Executor, id: string, disabledAt: number | null): Promise<void> {
  await db.updateTable('users').set({ disabled_at: disabledAt }).where('id', '=', id).execute()
}

/** Deletes a user; their sessions go with them (ON DELETE CASCADE). */
export async function deleteUser(db: Executor, id: string): Promise<boolean> {
  const result = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst()
  return result.numDeletedRows > 0n
}

/** Counts users, for readiness and the CLI. */
export async function countUsers(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .executeTakeFirstOrThrow()
  return Number(row.count)
}
