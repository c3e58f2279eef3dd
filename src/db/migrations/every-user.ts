import type { Kysely } from 'kysely'

// The read of every account that the data migrations share (005 case folding, 020 skeletons).
// Frozen with them: test/db/migration-sql.test.ts pins the statements they run.

const BATCH = 500

/** A user row as the data migrations read it: the name as shown and the key it was unique by. */
export interface UserName {
  id: string
  username: string
  username_canonical: string
}

/** Every user, in id order, read in batches (keyset pagination on the id). */
export async function* everyUser(db: Kysely<any>): AsyncGenerator<UserName> {
  let after = ''
  for (;;) {
    const rows: UserName[] = await db
      .selectFrom('users')
      .select(['id', 'username', 'username_canonical'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute()
    yield* rows
    const last = rows.at(-1)
    if (rows.length < BATCH || last === undefined) return
    after = last.id
  }
}
