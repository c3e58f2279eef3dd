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
