import type { Insertable, Selectable } from 'kysely'
import { deleteRows, updateRows } from './rows.ts'
import type { Executor, TotpFactorsTable } from './schema.ts'

/** A stored TOTP factor (its secret sealed). */
export type TotpFactorRow = Selectable<TotpFactorsTable>

/** The user's TOTP factor, pending or active, if any. */
export async function findTotpFactor(db: Executor, userId: string): Promise<TotpFactorRow | undefined> {
  return db.selectFrom('totp_factors').selectAll().where('user_id', '=', userId).executeTakeFirst()
}

/** Stores a new TOTP factor. */
export async function insertTotpFactor(db: Executor, row: Insertable<TotpFactorsTable>): Promise<void> {
  await db.insertInto('totp_factors').values(row).execute()
}

/** Deletes the user's TOTP factor that is still pending (never confirmed); true when one was. */
export async function deletePendingTotpFactor(db: Executor, userId: string): Promise<boolean> {
  return (await deleteRows(db, 'totp_factors', { user_id: userId, confirmed_at: null })) > 0
}

/** Deletes the user's TOTP factor, pending or active; true when there was one. */
export async function deleteTotpFactor(db: Executor, userId: string): Promise<boolean> {
  return (await deleteRows(db, 'totp_factors', { user_id: userId })) > 0
}

/**
 * Accepts a time step for a factor: records it only when it is later than the last accepted one, in one
 * conditional update, so a code (or an older one) is accepted once even when requests race. With
 * `confirm`, also activates a pending factor. True when this call won.
 */
export async function acceptTotpStep(
  db: Executor,
  factorId: string,
  step: number,
  confirmAt?: number,
): Promise<boolean> {
  let query = db
    .updateTable('totp_factors')
    .set(
      confirmAt === undefined ? { last_used_step: step } : { last_used_step: step, confirmed_at: confirmAt },
    )
    .where('id', '=', factorId)
    .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
  query =
    confirmAt === undefined
      ? query.where('confirmed_at', 'is not', null)
      : query.where('confirmed_at', 'is', null)
  const result = await query.executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Every factor's id and sealed secret, for re-sealing under a new GATEHOUSE_SECRET. */
export async function listSealedTotpSecrets(
  db: Executor,
): Promise<Array<{ id: string; secret_sealed: string }>> {
  return db.selectFrom('totp_factors').select(['id', 'secret_sealed']).execute()
}

/** Replaces a factor's sealed secret, if it still holds `previous` (a parallel re-seal wins once). */
export async function replaceSealedTotpSecret(
  db: Executor,
  id: string,
  previous: string,
  sealed: string,
): Promise<void> {
  await updateRows(db, 'totp_factors', { id, secret_sealed: previous }, { secret_sealed: sealed })
}
