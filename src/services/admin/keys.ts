import { AppError } from '../../errors.ts'
import { findSigningKey, listAllSigningKeys } from '../../db/keys.ts'
import type { ServiceContext } from '../context.ts'
import { retireKeyNow, rotateNow, type KeyChangeRequester, type RotationContext } from '../keys/rotation.ts'
import { isPublished, keyState, type KeyState } from '../keys/schedule.ts'
import { lockAdmins } from './last-admin.ts'
import type { AdminActor } from './users.ts'

/** A signing key as admins see it: its public facts and where it is in its life, never key material. */
export interface AdminKeyView {
  kid: string
  algorithm: string
  state: KeyState
  created_at: string
  signs_from: string
  retired_at: string | null
  published_until: string | null
}

/** Every key, newest first, with the algorithm this instance signs with and the rotation interval. */
export interface AdminKeyList {
  algorithm: string
  rotation_interval_seconds: number
  items: AdminKeyView[]
}

const iso = (time: number | null) => (time === null ? null : new Date(time).toISOString())

/** Lists every stored key, as `gatehouse keys list` does. */
export async function listKeysForAdmin(context: ServiceContext): Promise<AdminKeyList> {
  const now = context.clock.now()
  const signingKid = context.keys.signingKid()
  const rows = await listAllSigningKeys(context.db)
  const items = rows
    .map((row) => ({
      kid: row.kid,
      algorithm: row.algorithm,
      state: keyState(row, signingKid, now),
      created_at: new Date(row.created_at).toISOString(),
      signs_from: new Date(row.not_before).toISOString(),
      retired_at: iso(row.retired_at),
      published_until: iso(row.published_until),
    }))
    .reverse()
  return {
    algorithm: context.config.jwtAlgorithm,
    rotation_interval_seconds: context.config.keyRotationIntervalSeconds,
    items,
  }
}

// The admin's rights are re-checked inside the key change's transaction, as every admin change does,
// so a request authorized a moment before a concurrent demotion cannot rotate or retire keys.
function requester(context: ServiceContext, actor: AdminActor): KeyChangeRequester {
  return {
    actorUserId: actor.userId,
    sessionId: actor.sessionId,
    meta: actor.meta,
    authorize: async (trx) => {
      await lockAdmins(context, trx, actor.userId)
    },
  }
}

/**
 * Emergency rotation, as `gatehouse keys rotate`: the next key signs now and the others stay published
 * until their tokens expire, so nobody is signed out.
 */
export async function rotateKeysAsAdmin(
  context: ServiceContext,
  rotation: RotationContext,
  actor: AdminActor,
): Promise<{ created_kid: string; retired_kids: string[] }> {
  if (context.config.jwtAlgorithm === 'HS256') {
    throw new AppError(
      409,
      'key_rotation_unavailable',
      'HS256 mode has no key pair to rotate; change GATEHOUSE_HS256_SECRET instead',
    )
  }
  const { createdKid, retiredKids } = await rotateNow(rotation, requester(context, actor))
  // rotateNow always names the key that signs from now on; the check only satisfies the type.
  if (createdKid === undefined) throw new Error('rotation produced no signing key')
  return { created_kid: createdKid, retired_kids: retiredKids }
}

/**
 * Retires a key at once and unpublishes it, as `gatehouse keys retire`: every token it signed is refused
 * from the next request on. If it was signing, a fresh key takes over.
 */
export async function retireKeyAsAdmin(
  context: ServiceContext,
  rotation: RotationContext,
  actor: AdminActor,
  kid: string,
): Promise<{ retired_kid: string; created_kid: string | null }> {
  const row = await findSigningKey(context.db, kid)
  if (!row) throw new AppError(404, 'not_found', 'Signing key not found')
  if (!isPublished(row, context.clock.now())) {
    throw new AppError(
      409,
      'key_already_retired',
      'This key is already retired and no longer verifies tokens',
    )
  }
  const outcome = await retireKeyNow(rotation, kid, requester(context, actor))
  return { retired_kid: kid, created_kid: outcome.createdKid ?? null }
}
