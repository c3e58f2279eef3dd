import type { Kysely } from 'kysely'
import { setTimeout as delay } from 'node:timers/promises'
import { listPublishedSigningKeys } from '../../db/keys.ts'
import { releaseLease, tryAcquireLease } from '../../db/leases.ts'
import type { Database, Executor } from '../../db/schema.ts'
import { recordKeyRotation } from '../audit.ts'
import type { Clock } from '../clock.ts'
import { newId } from '../random.ts'
import { generateSigningKey, type AsymmetricAlgorithm, type GeneratedKey } from './generate.ts'
import { KEY_PICKUP_INTERVAL_MS, KEY_ROTATION_LEASE, pickSigningRow } from './schedule.ts'

/** What creating the first key needs from the key store. */
export interface FirstKeyOptions {
  db: Kysely<Database>
  algorithm: AsymmetricAlgorithm
  clock: Clock
  /** Stores a generated key that signs from `notBefore`, inside the given transaction. */
  store: (key: GeneratedKey, notBefore: number, executor: Executor) => Promise<void>
}

/** How the first key came to be: it was there, this process made it, or another process did. */
export type FirstKeyOutcome = 'present' | 'created' | 'created_elsewhere'

// Long enough for the lease of an instance that died while holding it to run out (rotation.ts holds it
// for the pick-up interval less 5 s), plus time to make the key.
const FIRST_KEY_WAIT_MS = KEY_PICKUP_INTERVAL_MS + 10_000
const POLL_INTERVAL_MS = 100
// Covers generating and storing one key; released as soon as the key is stored.
const FIRST_KEY_LEASE_MS = 20_000

/**
 * Makes sure a key for `algorithm` can sign now. The key is created under the rotation lease, so
 * instances started at once on an empty database make exactly one key (issue 17: without the lease,
 * about one start in five made two, and each instance then refused the other's tokens until it reloaded).
 * The others wait for that key to appear.
 */
export async function ensureFirstSigningKey(options: FirstKeyOptions): Promise<FirstKeyOutcome> {
  const { db, algorithm, clock } = options
  const hasSigner = async () =>
    pickSigningRow(await listPublishedSigningKeys(db, clock.now()), algorithm, clock.now()) !== undefined
  if (await hasSigner()) return 'present'
  const holder = newId()
  const started = performance.now()
  for (;;) {
    const now = clock.now()
    if (await tryAcquireLease(db, KEY_ROTATION_LEASE, holder, now, now + FIRST_KEY_LEASE_MS)) {
      try {
        // Checked again under the lease: another instance may have made the key meanwhile.
        if (await hasSigner()) return 'created_elsewhere'
        const key = await generateSigningKey(algorithm)
        await db.transaction().execute(async (trx) => {
          await options.store(key, now, trx)
          await recordKeyRotation(trx, now, { kid: key.kid, algorithm, trigger: 'initial' })
        })
        return 'created'
      } finally {
        await releaseLease(db, KEY_ROTATION_LEASE, holder)
      }
    }
    // Wall time, not the injected clock: this bounds how long a real process waits at start.
    if (performance.now() - started > FIRST_KEY_WAIT_MS)
      throw new Error('no signing key appeared while another instance held the key rotation lease')
    await delay(POLL_INTERVAL_MS)
    if (await hasSigner()) return 'created_elsewhere'
  }
}
