import type { Executor } from './schema.ts'
import type { UserRow } from './users.ts'

/** The account whose *verified* address has this key; unverified addresses never name an account. */
export async function findUserByVerifiedEmailKey(db: Executor, key: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('email_key', '=', key)
    .where('email_verified', '=', 1)
    .executeTakeFirst()
}

/** True when another account already holds this address verified (the unique index would refuse it). */
export async function verifiedEmailKeyTaken(
  db: Executor,
  key: string,
  exceptUserId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('email_key', '=', key)
    .where('email_verified', '=', 1)
    .where('id', '!=', exceptUserId)
    .executeTakeFirst()
  return row !== undefined
}

/**
 * Sets a user's address (or clears it with null), verified or not. A verified address already held
 * verified by another account raises a unique violation.
 */
export async function updateUserEmail(
  db: Executor,
  id: string,
  email: { address: string; key: string } | null,
  verifiedAt: number | null,
  now: number,
): Promise<void> {
  await db
    .updateTable('users')
    .set({
      email: email?.address ?? null,
      email_key: email?.key ?? null,
      email_verified: verifiedAt === null ? 0 : 1,
      email_verified_at: verifiedAt,
      updated_at: now,
    })
    .where('id', '=', id)
    .execute()
}

/**
 * Marks the address verified, but only if the account still has exactly that address: a link for an
 * address the user has since replaced must not verify the new one. True when a row changed.
 */
export async function markEmailVerified(
  db: Executor,
  id: string,
  address: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ email_verified: 1, email_verified_at: now, updated_at: now })
    .where('id', '=', id)
    .where('email', '=', address)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}
