import type { Kysely } from 'kysely'

// Frozen: never edit a migration that has shipped; add a new one instead.
// Usernames were unique by NFKC + lower case, which is not case folding ("straße" and "STRASSE" were two
// accounts). This recomputes every canonical name with full folding. The folding is copied here, not
// imported, so later changes to the live function can never change what this migration did.

const BATCH = 500

function fold(username: string): string {
  return username.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC')
}

export async function up(db: Kysely<any>): Promise<void> {
  const owners = new Map<string, string>()
  const changes: Array<{ id: string; canonical: string }> = []
  let after = ''
  for (;;) {
    const rows: Array<{ id: string; username: string; username_canonical: string }> = await db
      .selectFrom('users')
      .select(['id', 'username', 'username_canonical'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute()
    for (const row of rows) {
      const canonical = fold(row.username)
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
    if (rows.length < BATCH) break
    after = rows.at(-1)!.id
  }
  // A temporary value first, so two swapped names never meet the unique index halfway.
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
