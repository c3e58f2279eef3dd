import type { Insertable, Selectable } from 'kysely'
import type { Executor, SigningKeysTable } from './schema.ts'

/** A stored signing key; the private half is encrypted. */
export type SigningKeyRow = Selectable<SigningKeysTable>

/** Inserts a signing key. */
export async function insertSigningKey(db: Executor, key: Insertable<SigningKeysTable>): Promise<void> {
  await db.insertInto('signing_keys').values(key).execute()
}

/** Keys that can still verify a token at `now`: not yet past their publication window. */
export async function listPublishedSigningKeys(db: Executor, now: number): Promise<SigningKeyRow[]> {
  return db
    .selectFrom('signing_keys')
    .selectAll()
    .where((eb) => eb.or([eb('published_until', 'is', null), eb('published_until', '>', now)]))
    .orderBy('not_before')
    .orderBy('kid')
    .execute()
}

/** Every key, for the CLI and for copying a database. */
export async function listAllSigningKeys(db: Executor): Promise<SigningKeyRow[]> {
  return db.selectFrom('signing_keys').selectAll().orderBy('created_at').execute()
}

/** Moves the moment a key starts signing (used to bring a pre-published key forward). */
export async function setSigningKeyNotBefore(db: Executor, kid: string, notBefore: number): Promise<void> {
  await db.updateTable('signing_keys').set({ not_before: notBefore }).where('kid', '=', kid).execute()
}

/** Stops a key signing at `retiredAt` and unpublishes it at `publishedUntil`; never extends an earlier end. */
export async function retireSigningKey(
  db: Executor,
  kid: string,
  retiredAt: number,
  publishedUntil: number,
): Promise<boolean> {
  const result = await db
    .updateTable('signing_keys')
    .set((eb) => ({
      retired_at: eb.fn.coalesce('retired_at', eb.val(retiredAt)),
      published_until: publishedUntil,
    }))
    .where('kid', '=', kid)
    .where((eb) => eb.or([eb('published_until', 'is', null), eb('published_until', '>', publishedUntil)]))
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/** Replaces a key's sealed private half (after GATEHOUSE_SECRET was rotated). */
export async function updateSealedPrivateKey(db: Executor, kid: string, sealed: string): Promise<void> {
  await db.updateTable('signing_keys').set({ private_jwk_encrypted: sealed }).where('kid', '=', kid).execute()
}

/** Finds one key by kid. */
export async function findSigningKey(db: Executor, kid: string): Promise<SigningKeyRow | undefined> {
  return db.selectFrom('signing_keys').selectAll().where('kid', '=', kid).executeTakeFirst()
}
