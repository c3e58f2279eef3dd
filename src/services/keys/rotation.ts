import type { Kysely } from 'kysely'
import type { Config } from '../../config.ts'
import { findSigningKey, listPublishedSigningKeys, retireSigningKey, setSigningKeyNotBefore } from '../../db/keys.ts'
import { tryAcquireLease } from '../../db/leases.ts'
import type { Database } from '../../db/schema.ts'
import type { Clock } from '../clock.ts'
import type { KeyStore } from './key-store.ts'
import { KEY_PICKUP_INTERVAL_MS, KEY_PREPUBLICATION_MS, maySign, pickSigningRow } from './schedule.ts'

/** What the rotation policy works with. */
export interface RotationContext {
  db: Kysely<Database>
  keys: KeyStore
  config: Config
  clock: Clock
  /** Names this process in the rotation lease. */
  instanceId: string
}

/** What a maintenance pass changed, for logs and the audit trail. */
export interface RotationOutcome {
  createdKid?: string
  retiredKids: string[]
}

const LEASE_NAME = 'signing-key-rotation'
// Longer than a maintenance pass, shorter than the pick-up interval, so a crashed holder is replaced quickly.
const LEASE_TTL_MS = KEY_PICKUP_INTERVAL_MS - 5_000

/** How long after retirement a key's tokens can still be valid, so it stays published that long. */
export function publicationAfterRetirementMs(config: Config): number {
  return (config.accessTokenTtlSeconds + config.clockSkewSeconds) * 1000
}

/**
 * One maintenance pass, run by every instance each pick-up interval. Every instance reloads keys; the
 * one holding the database lease also pre-publishes the next key when rotation is due and retires keys
 * that a newer key has replaced. The lease means exactly one instance rotates.
 */
export async function runKeyMaintenance(context: RotationContext): Promise<RotationOutcome> {
  const outcome: RotationOutcome = { retiredKids: [] }
  const { db, config, clock } = context
  const now = clock.now()
  if (config.jwtAlgorithm !== 'HS256' && (await tryAcquireLease(db, LEASE_NAME, context.instanceId, now, now + LEASE_TTL_MS))) {
    const rows = await listPublishedSigningKeys(db, now)
    const signer = pickSigningRow(rows, config.jwtAlgorithm, now)
    if (signer) {
      for (const row of rows) {
        const superseded = row.kid !== signer.kid && row.retired_at === null && row.not_before <= signer.not_before
        if (superseded) {
          await retireSigningKey(db, row.kid, now, now + publicationAfterRetirementMs(config))
          outcome.retiredKids.push(row.kid)
        }
      }
      const intervalMs = config.keyRotationIntervalSeconds * 1000
      const pending = rows.some((row) => row.algorithm === config.jwtAlgorithm && row.not_before > now)
      if (intervalMs > 0 && !pending && now >= signer.not_before + intervalMs - KEY_PREPUBLICATION_MS) {
        // Published now, signing only after every cache has had time to see it.
        const notBefore = Math.max(now + KEY_PREPUBLICATION_MS, signer.not_before + intervalMs)
        outcome.createdKid = await context.keys.createKey(config.jwtAlgorithm, notBefore)
      }
    }
  }
  await context.keys.reload()
  return outcome
}

/**
 * Emergency rotation: the pre-published next key (or a fresh one) signs from now on, skipping the
 * pre-publication wait, and every other key is retired but stays published while its tokens live.
 */
export async function rotateNow(context: RotationContext): Promise<RotationOutcome> {
  const { db, config, clock } = context
  if (config.jwtAlgorithm === 'HS256') throw new Error('HS256 mode has no key pair to rotate; change GATEHOUSE_HS256_SECRET instead')
  const now = clock.now()
  const rows = await listPublishedSigningKeys(db, now)
  const pending = rows.filter((row) => row.algorithm === config.jwtAlgorithm && row.not_before > now).at(-1)
  let createdKid: string
  if (pending) {
    await setSigningKeyNotBefore(db, pending.kid, now)
    createdKid = pending.kid
  } else {
    createdKid = await context.keys.createKey(config.jwtAlgorithm, now)
  }
  const retiredKids: string[] = []
  for (const row of rows) {
    if (row.kid !== createdKid && row.retired_at === null) {
      await retireSigningKey(db, row.kid, now, now + publicationAfterRetirementMs(config))
      retiredKids.push(row.kid)
    }
  }
  await context.keys.reload()
  return { createdKid, retiredKids }
}

/**
 * Retires a key at once and unpublishes it, for a key that may be compromised: tokens it signed stop
 * working on our endpoints immediately. If it was signing, a fresh key takes over.
 */
export async function retireKeyNow(context: RotationContext, kid: string): Promise<RotationOutcome> {
  const { db, config, clock } = context
  const now = clock.now()
  const row = await findSigningKey(db, kid)
  if (!row) throw new Error(`no signing key with kid ${kid}`)
  await retireSigningKey(db, kid, now, now)
  const outcome: RotationOutcome = { retiredKids: [kid] }
  const remaining = (await listPublishedSigningKeys(db, now)).filter((candidate) => maySign(candidate, now))
  if (config.jwtAlgorithm !== 'HS256' && !pickSigningRow(remaining, config.jwtAlgorithm, now)) {
    outcome.createdKid = await context.keys.createKey(config.jwtAlgorithm, now)
  }
  await context.keys.reload()
  return outcome
}
