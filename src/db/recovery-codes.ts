import type { Insertable } from 'kysely'
import { deleteRows, updateRows } from './rows.ts'
import type { Executor, RecoveryCodesTable } from './schema.ts'

/** Replaces every recovery code of a user with new ones (their hashes). */
export async function replaceRecoveryCodes(
  db: Executor,
  userId: string,
  rows: Array<Insertable<RecoveryCodesTable>>,
): Promise<void> {
  await deleteRecoveryCodes(db, userId)
  if (rows.length > 0) await db.insertInto('recovery_codes').values(rows).execute()
}

/** Deletes every recovery code of a user; returns how many there were. */
export async function deleteRecoveryCodes(db: Executor, userId: string): Promise<number> {
  return deleteRows(db, 'recovery_codes', { user_id: userId })
}

/**
 * Uses the user's unused code with this hash in one conditional update: of parallel uses of one code,
 * exactly one gets true.
 */
export async function useRecoveryCode(
  db: Executor,
  userId: string,
  codeHash: string,
  now: number,
): Promise<boolean> {
  const unused = { user_id: userId, code_hash: codeHash, used_at: null }
  return (await updateRows(db, 'recovery_codes', unused, { used_at: now })) === 1
}

/** How many unused recovery codes a user has left. */
export async function countUnusedRecoveryCodes(db: Executor, userId: string): Promise<number> {
  const row = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(row.count)
}
