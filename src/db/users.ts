import { sql, type Insertable, type Selectable } from 'kysely'
import { updateRows } from './rows.ts'
import type { Executor, UsersTable } from './schema.ts'

/** A stored user row. Never send it to a client as it is: it holds the password hash. */
export type UserRow = Selectable<UsersTable>

/** Inserts a user; a taken canonical username or skeleton raises a unique violation. */
export async function insertUser(db: Executor, user: Insertable<UsersTable>): Promise<void> {
  await db.insertInto('users').values(user).execute()
}

/** Inserts many users in one statement (bulk loads such as bench/seed.ts); the same unique keys apply. */
export async function insertUsers(db: Executor, users: Array<Insertable<UsersTable>>): Promise<void> {
  if (users.length > 0) await db.insertInto('users').values(users).execute()
}

/** Finds a user by id. */
export async function findUserById(db: Executor, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Finds a user by the canonical form of a username. */
export async function findUserByCanonicalName(db: Executor, canonical: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('username_canonical', '=', canonical).executeTakeFirst()
}

/**
 * Finds the user holding a name or one that looks like it: the same canonical name, or the same
 * confusable skeleton. The canonical match comes first when both exist.
 */
export async function findUserByNameOrLookalike(
  db: Executor,
  canonical: string,
  skeleton: string,
): Promise<UserRow | undefined> {
  const rows = await db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb.or([eb('username_canonical', '=', canonical), eb('username_skeleton', '=', skeleton)]))
    .limit(2)
    .execute()
  return rows.find((row) => row.username_canonical === canonical) ?? rows[0]
}

/** Lists users in creation order. */
export async function listUsers(db: Executor, limit: number): Promise<UserRow[]> {
  return db.selectFrom('users').selectAll().orderBy('created_at').orderBy('id').limit(limit).execute()
}

/** Renames a user; a taken canonical username or skeleton raises a unique violation. */
export async function updateUsername(
  db: Executor,
  id: string,
  name: { username: string; canonical: string; skeleton: string },
  now: number,
): Promise<void> {
  await db
    .updateTable('users')
    .set({
      username: name.username,
      username_canonical: name.canonical,
      username_skeleton: name.skeleton,
      updated_at: now,
    })
    .where('id', '=', id)
    .execute()
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

/**
 * Sets a new password hash only if the stored one is still `previousHash` (the one the caller verified
 * or proved); false when a parallel change got there first, so a lost update is refused instead of
 * acknowledged. Two parallel logins that both upgrade a legacy hash cannot interleave either: the second
 * update matches no row, and the stored hash is always one whole, valid hash.
 */
export async function replacePasswordHash(
  db: Executor,
  id: string,
  previousHash: string,
  passwordHash: string,
  now: number,
): Promise<boolean> {
  const change = { password_hash: passwordHash, updated_at: now }
  return (await updateRows(db, 'users', { id, password_hash: previousHash }, change)) > 0
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

/** Filters and position for one page of the admin user list. */
export interface UserPageQuery {
  /** A prefix of the canonical username; LIKE wildcards in it are matched literally. */
  canonicalPrefix?: string
  role?: string
  disabled?: boolean
  /** Keyset position: the (created_at, id) of the last row of the previous page. */
  after?: { createdAt: number; id: string }
  limit: number
}

/** Escapes LIKE's wildcards so a search for "a_b" or "50%" matches those characters and nothing else. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`)
}

/**
 * One page of users in (created_at, id) order. A keyset, not an offset: users registering while an
 * admin pages land after the cursor instead of shifting every later page by one.
 */
export async function listUsersPage(db: Executor, query: UserPageQuery): Promise<UserRow[]> {
  let select = db.selectFrom('users').selectAll()
  if (query.canonicalPrefix !== undefined && query.canonicalPrefix !== '') {
    const pattern = `${escapeLike(query.canonicalPrefix)}%`
    // ESCAPE is explicit: PostgreSQL defaults to backslash but SQLite has no default escape character.
    select = select.where(sql<boolean>`${sql.ref('username_canonical')} like ${pattern} escape '\\'`)
  }
  if (query.role !== undefined) select = select.where('role', '=', query.role)
  if (query.disabled === true) select = select.where('disabled_at', 'is not', null)
  if (query.disabled === false) select = select.where('disabled_at', 'is', null)
  const after = query.after
  if (after !== undefined) {
    select = select.where((eb) =>
      eb.or([
        eb('created_at', '>', after.createdAt),
        eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)]),
      ]),
    )
  }
  return select.orderBy('created_at').orderBy('id').limit(query.limit).execute()
}

/**
 * The ids of enabled admins. With `lock` (PostgreSQL only: SQLite has no FOR UPDATE and needs none,
 * its single writer already serializes transactions) the rows stay locked until the transaction
 * ends, so two admins demoting each other at once cannot both see "another admin remains".
 */
export async function selectEnabledAdminIds(db: Executor, lock: boolean): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'admin')
    .where('disabled_at', 'is', null)
    .orderBy('id')
    .$if(lock, (query) => query.forUpdate())
    .execute()
  return rows.map((row) => row.id)
}

/** Sets any of role, disabled time and username in one statement. */
export async function updateUserFields(
  db: Executor,
  id: string,
  fields: Partial<
    Pick<UsersTable, 'role' | 'disabled_at' | 'username' | 'username_canonical' | 'username_skeleton'>
  >,
  now: number,
): Promise<void> {
  await db
    .updateTable('users')
    .set({ ...fields, updated_at: now })
    .where('id', '=', id)
    .execute()
}
