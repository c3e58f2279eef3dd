// Puts many users into the benchmark's database through the repository layer (db/users.ts insertUsers,
// 500 rows a statement) in transactions of 10,000, not through the API: a million argon2id hashes would take hours.
// Every seeded user shares one real argon2id hash of the bench password at the configured cost, so a
// seeded user logs in exactly as a registered one would.
import { hash } from '@node-rs/argon2'
import type { Config } from '../src/config.ts'
import { connectDatabase } from '../src/db/connect.ts'
import { insertUsers } from '../src/db/users.ts'
import { canonicalUsername, usernameSkeleton } from '../src/services/usernames.ts'

/** The password of every seeded user. */
export const BENCH_PASSWORD = 'bench password that is long enough'

const BATCH = 10_000
// 10 columns × 500 rows stays far below SQLite's 32,766 bound variables per statement.
const ROWS_PER_STATEMENT = 500

/** The username of seeded user number `index`. */
export function seededUsername(index: number): string {
  return `bench${String(index).padStart(7, '0')}`
}

/** Inserts users `from` to `to - 1`; returns the seconds it took. */
export async function seedUsers(
  config: Config,
  from: number,
  to: number,
  searchPath?: string,
): Promise<number> {
  const started = performance.now()
  const { db } = connectDatabase(config.database, searchPath ? { searchPath } : {})
  try {
    const passwordHash = await hash(BENCH_PASSWORD, {
      memoryCost: config.argon2.memoryKib,
      timeCost: config.argon2.iterations,
      parallelism: config.argon2.parallelism,
    })
    const now = Date.now()
    for (let start = from; start < to; start += BATCH) {
      const end = Math.min(start + BATCH, to)
      await db.transaction().execute(async (trx) => {
        for (let first = start; first < end; first += ROWS_PER_STATEMENT) {
          const rows = []
          for (let index = first; index < Math.min(first + ROWS_PER_STATEMENT, end); index += 1) {
            const username = seededUsername(index)
            const canonical = canonicalUsername(username)
            rows.push({
              id: `00000000-0000-7000-8000-${String(index).padStart(12, '0')}`,
              username,
              username_canonical: canonical,
              username_skeleton: usernameSkeleton(canonical),
              password_hash: passwordHash,
              role: 'user',
              created_at: now,
              updated_at: now,
              disabled_at: null,
              last_login_at: null,
            })
          }
          await insertUsers(trx, rows)
        }
      })
    }
  } finally {
    await db.destroy()
  }
  return (performance.now() - started) / 1000
}
