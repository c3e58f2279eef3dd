import type { SigningKeyRow } from '../../db/keys.ts'

/** How long resource servers may cache the JWKS (its Cache-Control max-age). */
export const JWKS_MAX_AGE_SECONDS = 300
/** How often every instance reloads keys from the database: the bound on picking up a change. */
export const KEY_PICKUP_INTERVAL_MS = 30_000
/**
 * A new key is published this long before it signs: one full JWKS cache lifetime plus the pick-up
 * bound, so every resource server and every instance knows it before the first token it signs.
 */
export const KEY_PREPUBLICATION_MS = JWKS_MAX_AGE_SECONDS * 1000 + KEY_PICKUP_INTERVAL_MS

/** The lease that lets one instance at a time create or rotate signing keys (db/leases.ts). */
export const KEY_ROTATION_LEASE = 'signing-key-rotation'

/** Where a key is in its life at a given moment. */
export type KeyState = 'next' | 'active' | 'retiring' | 'retired' | 'expired'

/** True while the key may sign at `now`. */
export function maySign(row: SigningKeyRow, now: number): boolean {
  return row.not_before <= now && (row.retired_at === null || row.retired_at > now)
}

/** True while the key is in the JWKS and verifies tokens. */
export function isPublished(row: SigningKeyRow, now: number): boolean {
  return row.published_until === null || row.published_until > now
}

/** The key that signs at `now` for an algorithm: the newest one allowed to, so every instance agrees. */
export function pickSigningRow(
  rows: readonly SigningKeyRow[],
  algorithm: string,
  now: number,
): SigningKeyRow | undefined {
  return rows
    .filter((row) => row.algorithm === algorithm && maySign(row, now) && isPublished(row, now))
    .sort((a, b) => a.not_before - b.not_before || a.kid.localeCompare(b.kid))
    .at(-1)
}

/** Names a key's state for `gatehouse keys list`. */
export function keyState(row: SigningKeyRow, signingKid: string | undefined, now: number): KeyState {
  if (!isPublished(row, now)) return 'expired'
  if (row.not_before > now) return 'next'
  if (row.kid === signingKid) return 'active'
  if (row.retired_at !== null && row.retired_at <= now) return 'retired'
  return 'retiring'
}
