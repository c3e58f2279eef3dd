import { createHash, randomInt } from 'node:crypto'
import { replaceRecoveryCodes, useRecoveryCode } from '../../db/recovery-codes.ts'
import type { Executor } from '../../db/schema.ts'
import { newId } from '../random.ts'

// Ten codes of 16 characters from a 32-letter alphabet: 80 random bits each. A plain SHA-256 is a safe
// stored form at that entropy (as for refresh tokens): nobody can search 2^80 candidates offline, so a
// slow password hash would only cost time at every use. Codes are single-use by a conditional update.

/** How many codes one generation gives. */
export const RECOVERY_CODE_COUNT = 10
// Crockford's base32 alphabet without 0/O, 1/I/L confusion risk at typing: lowercase, no i, l, o, u.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'
const GROUPS = 4
const GROUP_LENGTH = 4

function newRecoveryCode(): string {
  const groups: string[] = []
  for (let group = 0; group < GROUPS; group += 1) {
    let text = ''
    for (let index = 0; index < GROUP_LENGTH; index += 1) text += ALPHABET[randomInt(ALPHABET.length)]
    groups.push(text)
  }
  return groups.join('-')
}

/** What is hashed: case, spaces and hyphens do not matter when the person types the code back. */
function normalizeRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '')
}

/** The stored form of a recovery code. */
export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(normalizeRecoveryCode(code), 'utf8').digest('base64url')
}

/** Makes ten new codes for a user, replacing any older ones, in `executor`'s transaction; returns them once. */
export async function generateRecoveryCodes(
  executor: Executor,
  userId: string,
  now: number,
): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode)
  await replaceRecoveryCodes(
    executor,
    userId,
    codes.map((code) => ({
      id: newId(),
      user_id: userId,
      code_hash: hashRecoveryCode(code),
      created_at: now,
      used_at: null,
    })),
  )
  return codes
}

/** Uses one of the user's codes; true exactly once per code, even under parallel requests. */
export async function redeemRecoveryCode(
  executor: Executor,
  userId: string,
  code: string,
  now: number,
): Promise<boolean> {
  // Ours are 19 characters; anything much longer is not worth hashing.
  if (code.length > 64) return false
  return useRecoveryCode(executor, userId, hashRecoveryCode(code), now)
}
