import type { Kysely, Transaction } from 'kysely'
import type { Config } from '../../config.ts'
import {
  findSigningKey,
  listPublishedSigningKeys,
  retireSigningKey,
  setSigningKeyNotBefore,
} from '../../db/keys.ts'
import { tryAcquireLease } from '../../db/leases.ts'
import type { Database } from '../../db/schema.ts'
import type { Clock } from '../clock.ts'
import { recordKeyRotation, type RequestMeta } from '../audit.ts'
import { generateSigningKey } from './generate.ts'
import type { KeyStore } from './key-store.ts'
import {
  KEY_PICKUP_INTERVAL_MS,
  KEY_PREPUBLICATION_MS,
  KEY_ROTATION_LEASE,
  maySign,
  pickSigningRow,
} from './schedule.ts'

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

/** Who asked for a manual key change, for its audit record; the CLI passes none. */
export interface KeyChangeRequester {
  actorUserId: string
  sessionId: string
  meta: RequestMeta
  /** Runs first inside the change's transaction, so a caller can re-check its rights there. */
  authorize?: (trx: Transaction<Database>) => Promise<void>
}

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
  if (
    config.jwtAlgorithm !== 'HS256' &&
    (await tryAcquireLease(db, KEY_ROTATION_LEASE, context.instanceId, now, now + LEASE_TTL_MS))
  ) {
    const rows = await listPublishedSigningKeys(db, now)
    const signer = pickSigningRow(rows, config.jwtAlgorithm, now)
    if (signer) {
      const superseded = rows.filter(
        (row) => row.kid !== signer.kid && row.retired_at === null && row.not_before <= signer.not_before,
      )
      const intervalMs = config.keyRotationIntervalSeconds * 1000
      const pending = rows.some((row) => row.algorithm === config.jwtAlgorithm && row.not_before > now)
      const due = intervalMs > 0 && !pending && now >= signer.not_before + intervalMs - KEY_PREPUBLICATION_MS
      // Generated before the transaction, so the transaction holds no lock while the key is made.
      const next = due ? await generateSigningKey(config.jwtAlgorithm) : undefined
      await db.transaction().execute(async (trx) => {
        for (const row of superseded) {
          await retireSigningKey(trx, row.kid, now, now + publicationAfterRetirementMs(config))
          await recordKeyRotation(trx, now, {
            kid: signer.kid,
            algorithm: signer.algorithm,
            retiredKid: row.kid,
            trigger: 'scheduled',
          })
          outcome.retiredKids.push(row.kid)
        }
        if (next) {
          // Published now, signing only after every cache has had time to see it.
          const notBefore = Math.max(now + KEY_PREPUBLICATION_MS, signer.not_before + intervalMs)
          await context.keys.storeKey(next, notBefore, trx)
          await recordKeyRotation(trx, now, {
            kid: next.kid,
            algorithm: next.algorithm,
            trigger: 'scheduled',
          })
          outcome.createdKid = next.kid
        }
      })
    }
  }
  await context.keys.reload()
  return outcome
}

/**
 * Emergency rotation: the pre-published next key (or a fresh one) signs from now on, skipping the
 * pre-publication wait, and every other key is retired but stays published while its tokens live.
 */
export async function rotateNow(
  context: RotationContext,
  requester?: KeyChangeRequester,
): Promise<RotationOutcome> {
  const { db, config, clock } = context
  if (config.jwtAlgorithm === 'HS256')
    throw new Error('HS256 mode has no key pair to rotate; change GATEHOUSE_HS256_SECRET instead')
  const now = clock.now()
  const rows = await listPublishedSigningKeys(db, now)
  const pending = rows.filter((row) => row.algorithm === config.jwtAlgorithm && row.not_before > now).at(-1)
  // Bring the pre-published key forward if there is one, else make a fresh key that signs at once.
  const fresh = pending ? undefined : await generateSigningKey(config.jwtAlgorithm)
  const createdKid = pending?.kid ?? fresh?.kid ?? ''
  const retiredKids: string[] = []
  await db.transaction().execute(async (trx) => {
    await requester?.authorize?.(trx)
    if (fresh) await context.keys.storeKey(fresh, now, trx)
    else await setSigningKeyNotBefore(trx, createdKid, now)
    for (const row of rows) {
      if (row.kid !== createdKid && row.retired_at === null) {
        await retireSigningKey(trx, row.kid, now, now + publicationAfterRetirementMs(config))
        retiredKids.push(row.kid)
      }
    }
    // One event per retired key, so each reads as "this key replaced that one".
    for (const retiredKid of retiredKids.length > 0 ? retiredKids : [null]) {
      await recordKeyRotation(
        trx,
        now,
        { kid: createdKid, algorithm: config.jwtAlgorithm, retiredKid, trigger: 'manual', ...by(requester) },
        requester?.meta,
      )
    }
  })
  await context.keys.reload()
  return { createdKid, retiredKids }
}

/**
 * Retires a key at once and unpublishes it, for a key that may be compromised: tokens it signed stop
 * working on our endpoints immediately. If it was signing, a fresh key takes over.
 */
export async function retireKeyNow(
  context: RotationContext,
  kid: string,
  requester?: KeyChangeRequester,
): Promise<RotationOutcome> {
  const { db, config, clock } = context
  const now = clock.now()
  const row = await findSigningKey(db, kid)
  if (!row) throw new Error(`no signing key with kid ${kid}`)
  const remaining = (await listPublishedSigningKeys(db, now)).filter(
    (candidate) => candidate.kid !== kid && maySign(candidate, now),
  )
  const algorithm = config.jwtAlgorithm
  const fresh =
    algorithm !== 'HS256' && !pickSigningRow(remaining, algorithm, now)
      ? await generateSigningKey(algorithm)
      : undefined
  const outcome: RotationOutcome = { retiredKids: [kid], ...(fresh ? { createdKid: fresh.kid } : {}) }
  await db.transaction().execute(async (trx) => {
    await requester?.authorize?.(trx)
    await retireSigningKey(trx, kid, now, now)
    if (fresh) await context.keys.storeKey(fresh, now, trx)
    await recordKeyRotation(
      trx,
      now,
      {
        kid: fresh?.kid ?? kid,
        algorithm: fresh?.algorithm ?? row.algorithm,
        retiredKid: kid,
        trigger: 'manual',
        ...by(requester),
      },
      requester?.meta,
    )
  })
  await context.keys.reload()
  return outcome
}

function by(requester: KeyChangeRequester | undefined) {
  return requester ? { actorUserId: requester.actorUserId, sessionId: requester.sessionId } : {}
}
