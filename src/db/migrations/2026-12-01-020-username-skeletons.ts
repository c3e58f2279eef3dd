import type { Kysely } from 'kysely'
import { CONFUSABLE_PROTOTYPES } from '../../unicode-data/confusables-17.0.0.ts'
import { everyUser } from './every-user.ts'

// Frozen: never change what a shipped migration runs; add a new one instead (test/db/migration-sql.test.ts
// compares every statement with its snapshot, the skeletons written included).
// Usernames become unique by their UTS #39 confusable skeleton too (issue 16, finding 1): "rооt1" with
// Cyrillic о looked like "root1" and was a second account. This adds `username_skeleton`, fills it for
// every existing user and puts a unique index on it. Accounts whose names now collide are reported and
// the upgrade stops, as the case-folding migration does: merging or renaming them silently would hand
// one person's name to another. The algorithm is copied here, not imported, and the table is the
// versioned Unicode 17.0.0 one, so later changes can never change what this migration did.

const LISTED_COLLISIONS = 20
const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/u
// The one lookalike Gatehouse adds to confusables.txt: ɾ (U+027E) for r.
const SUPPLEMENT: Array<[number, string]> = [[0x027e, 'r']]

function prototypes(): Map<number, string> {
  const table = new Map<number, string>()
  for (const line of CONFUSABLE_PROTOTYPES.split('\n')) {
    const [source = '', ...target] = line.split(' ')
    table.set(parseInt(source, 16), String.fromCodePoint(...target.map((hex) => parseInt(hex, 16))))
  }
  for (const [codePoint, prototype] of SUPPLEMENT) table.set(codePoint, prototype)
  return table
}

// NFD, drop default-ignorables, map each character to its prototype, NFD.
function skeleton(table: Map<number, string>, canonical: string): string {
  let mapped = ''
  for (const character of canonical.normalize('NFD')) {
    if (DEFAULT_IGNORABLE.test(character)) continue
    mapped += table.get(character.codePointAt(0) ?? 0) ?? character
  }
  return mapped.normalize('NFD')
}

export async function up(db: Kysely<any>): Promise<void> {
  // One transaction on both engines (SQLite's DDL is transactional too, Kysely just does not open one
  // there): a reported collision leaves the schema exactly as it was, so the next attempt starts clean.
  if (db.isTransaction) await addSkeletons(db)
  else await db.transaction().execute(addSkeletons)
}

async function addSkeletons(db: Kysely<any>): Promise<void> {
  // NOT NULL needs a default for the rows already there (SQLite); every one is filled in below.
  await db.schema
    .alterTable('users')
    .addColumn('username_skeleton', 'text', (column) => column.notNull().defaultTo(''))
    .execute()
  const table = prototypes()
  const owners = new Map<string, string>()
  const collisions: string[] = []
  const skeletons: Array<{ id: string; skeleton: string }> = []
  for await (const row of everyUser(db)) {
    const key = skeleton(table, row.username_canonical)
    const owner = owners.get(key)
    if (owner === undefined) owners.set(key, row.username)
    else collisions.push(`"${owner}" and "${row.username}"`)
    skeletons.push({ id: row.id, skeleton: key })
  }
  if (collisions.length > 0) {
    const listed = collisions.slice(0, LISTED_COLLISIONS).join(', ')
    const more =
      collisions.length > LISTED_COLLISIONS ? ` and ${collisions.length - LISTED_COLLISIONS} more` : ''
    throw new Error(
      `usernames ${listed}${more} look alike (the same UTS #39 confusable skeleton); rename one of each ` +
        'pair (with the previous version), then migrate again',
    )
  }
  for (const { id, skeleton: key } of skeletons) {
    await db.updateTable('users').set({ username_skeleton: key }).where('id', '=', id).execute()
  }
  await db.schema
    .createIndex('users_username_skeleton_key')
    .on('users')
    .column('username_skeleton')
    .unique()
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('users_username_skeleton_key').execute()
  await db.schema.alterTable('users').dropColumn('username_skeleton').execute()
}
