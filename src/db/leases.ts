import type { Executor } from './schema.ts'

/**
 * Takes or renews a named lease for `holder` until `expiresAt`. One statement, so it is atomic on both
 * engines: the row is inserted if absent, taken over if the previous holder's lease ran out, renewed
 * if we already hold it, and left alone otherwise. Returns true when `holder` holds the lease.
 */
export async function tryAcquireLease(
  db: Executor,
  name: string,
  holder: string,
  now: number,
  expiresAt: number,
): Promise<boolean> {
  const row = await db
    .insertInto('leases')
    .values({ name, holder, expires_at: expiresAt })
    .onConflict((conflict) =>
      conflict
        .column('name')
        .doUpdateSet({ holder, expires_at: expiresAt })
        .where((eb) => eb.or([eb('leases.expires_at', '<=', now), eb('leases.holder', '=', holder)])),
    )
    .returning('holder')
    .executeTakeFirst()
  return row?.holder === holder
}

/** Gives a lease up early if `holder` still holds it, so the next instance need not wait for it to expire. */
export async function releaseLease(db: Executor, name: string, holder: string): Promise<void> {
  await db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute()
}
