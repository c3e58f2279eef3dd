import type { Kysely } from 'kysely'
import { everyUser } from './every-user.ts'
import { foldUsername } from './username-folding.ts'

// Frozen: never change what a shipped migration runs; add a new one instead (test/db/migration-sql.test.ts
// compares every statement with its snapshot, the refolded keys included).
// Usernames were unique by NFKC + lower case, which is not case folding ("straße" and "STRASSE" were two
// accounts). This recomputes every canonical name with full folding. The folding lives beside the
// migrations and is frozen with them, so later changes to the live username rules can never change what
// this migration did.

export async function up(db: Kysely<any>): Promise<void> {
  // Kysely wraps migrations in a transaction on PostgreSQL only (SQLite has no transactional DDL there);
  // this one only writes rows, so SQLite gets one too: a crash never leaves half the names refolded.
  if (db.isTransaction) await refold(db)
  else await db.transaction().execute(refold)
}

async function refold(db: Kysely<any>): Promise<void> {
  const owners = new Map<string, string>()
  const changes: Array<{ id: string; canonical: string }> = []
  for await (const row of everyUser(db)) {
    // From the display name, not the old key, so the result never depends on how the old key was made.
    const canonical = foldUsername(row.username)
    const owner = owners.get(canonical)
    if (owner !== undefined) {
      // Merging two accounts silently would hand one user's account to the other: stop and say who.
      throw new Error(
        `usernames "${owner}" and "${row.username}" are the same name once case-folded; ` +
          'rename one of them (with the previous version), then migrate again',
      )
    }
    owners.set(canonical, row.username)
    if (canonical !== row.username_canonical) changes.push({ id: row.id, canonical })
  }
  // A temporary value first, so two swapped names never meet the unique index halfway. Usernames cannot
  // contain U+0001, and ids are unique, so the temporary values collide with nothing.
  for (const change of changes) {
    await db
      .updateTable('users')
      .set({ username_canonical: `\u0001${change.id}` })
      .where('id', '=', change.id)
      .execute()
  }
  for (const change of changes) {
    await db
      .updateTable('users')
      .set({ username_canonical: change.canonical })
      .where('id', '=', change.id)
      .execute()
  }
}

export async function down(): Promise<void> {
  // The lower-cased form cannot be told apart from the folded one afterwards; nothing to undo.
}
