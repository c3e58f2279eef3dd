import type { ExpressionBuilder, Selectable } from 'kysely'
import { consumeRow, deleteRowsEndedBefore, selectRows, updateRows, type RowFilter } from './rows.ts'
import type { Database, Executor, OneTimeSecretsTable } from './schema.ts'

/** A stored one-time secret. */
export type OneTimeSecretRow = Selectable<OneTimeSecretsTable>

// Not killed by too many wrong codes.
function hasAttemptsLeft(eb: ExpressionBuilder<Database, 'one_time_secrets'>) {
  return eb('failed_attempts', '<', eb.ref('max_attempts'))
}

// Live: not consumed, not expired, and not killed by too many wrong codes.
function isLive(now: number) {
  return (eb: ExpressionBuilder<Database, 'one_time_secrets'>) =>
    eb.and([eb('consumed_at', 'is', null), eb('expires_at', '>', now), hasAttemptsLeft(eb)])
}

/** Stores a new one-time secret (its hashes only). */
export async function insertOneTimeSecret(db: Executor, row: OneTimeSecretRow): Promise<void> {
  await db.insertInto('one_time_secrets').values(row).execute()
}

/**
 * Consumes the live secret with this token hash and purpose in one conditional update, so of two
 * parallel uses exactly one gets the row back.
 */
export async function consumeOneTimeSecretByTokenHash(
  db: Executor,
  purpose: string,
  tokenHash: string,
  now: number,
): Promise<OneTimeSecretRow | undefined> {
  return consumeRow(db, 'one_time_secrets', { token_hash: tokenHash, purpose }, now, hasAttemptsLeft)
}

/**
 * The live secret with this token hash and purpose, without consuming it: for checks that must come
 * before the use (a new password's policy), so a refused attempt leaves the link usable; and for a token
 * that allows a few wrong codes before it is used (an `mfa_token`), consumed later by id.
 */
export async function findLiveSecretByTokenHash(
  db: Executor,
  purpose: string,
  tokenHash: string,
  now: number,
): Promise<OneTimeSecretRow | undefined> {
  const match = { token_hash: tokenHash, purpose }
  return selectRows(db, 'one_time_secrets', match, isLive(now)).executeTakeFirst()
}

/** The newest live secret with a code for a user and purpose, if any. */
export async function findLiveCodeSecret(
  db: Executor,
  userId: string,
  purpose: string,
  now: number,
): Promise<OneTimeSecretRow | undefined> {
  const withCode: RowFilter<'one_time_secrets'> = (eb) => eb('code_hash', 'is not', null)
  return selectRows(db, 'one_time_secrets', { user_id: userId, purpose }, withCode, isLive(now))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst()
}

/** Consumes one secret by id if it is still live; true when this call consumed it. */
export async function consumeOneTimeSecretById(db: Executor, id: string, now: number): Promise<boolean> {
  return (await updateRows(db, 'one_time_secrets', { id }, { consumed_at: now }, isLive(now))) === 1
}

/** Counts one wrong try against a secret; at `max_attempts` it is dead. */
export async function recordOneTimeSecretFailure(db: Executor, id: string): Promise<void> {
  await db
    .updateTable('one_time_secrets')
    .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) }))
    .where('id', '=', id)
    .execute()
}

/** Ends every live secret of a user (for one purpose, or all); returns how many were live. */
export async function revokeOneTimeSecrets(
  db: Executor,
  userId: string,
  now: number,
  purpose?: string,
): Promise<number> {
  const live = { user_id: userId, consumed_at: null }
  const match = purpose === undefined ? live : { ...live, purpose }
  return updateRows(db, 'one_time_secrets', match, { consumed_at: now })
}

/** Deletes secrets that ended before `before`; they can never be used again. */
export async function purgeOneTimeSecrets(db: Executor, before: number): Promise<number> {
  return deleteRowsEndedBefore(db, 'one_time_secrets', ['expires_at', 'consumed_at'], before)
}
