import { dictionary } from '@zxcvbn-ts/language-common'
import { AppError } from '../errors.ts'
import { assertWellFormed } from './well-formed.ts'

/** Shortest password accepted, in characters (ASVS 6.2.1). */
export const MIN_PASSWORD_LENGTH = 8
/** Longest password accepted, in UTF-8 bytes; checked before any hashing so huge inputs cost nothing. */
export const MAX_PASSWORD_BYTES = 1024

// zxcvbn-ts keeps a maintained list of the ~30,000 most common passwords; loaded once, looked up in O(1).
const COMMON_PASSWORDS = new Set(dictionary['passwords-common'].map((entry) => entry.toLowerCase()))

/** Rejects input too large to hash; used on every path that hashes or verifies. */
export function assertPasswordSize(password: string): void {
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    throw new AppError(422, 'weak_password', `Password must be at most ${MAX_PASSWORD_BYTES} bytes`)
  }
}

/**
 * Checks a new password against the policy and returns the form to hash: NFKC-normalized, so the same
 * password typed on another keyboard or OS still matches. Nothing is truncated.
 */
export function acceptNewPassword(password: string, username: string): string {
  assertWellFormed(password, 'Password', 'weak_password')
  assertPasswordSize(password)
  const normalized = password.normalize('NFKC')
  // NFKC can expand the input (one U+FDFA becomes 18 characters): the cap holds for what gets hashed.
  assertPasswordSize(normalized)
  if ([...normalized].length < MIN_PASSWORD_LENGTH) {
    throw new AppError(422, 'weak_password', `Password must be at least ${MIN_PASSWORD_LENGTH} characters`)
  }
  const lowered = normalized.toLowerCase()
  if (COMMON_PASSWORDS.has(lowered)) {
    throw new AppError(422, 'weak_password', 'This password is too common; choose another')
  }
  if (lowered === username.normalize('NFKC').toLowerCase()) {
    throw new AppError(422, 'weak_password', 'Password must not be the username')
  }
  return normalized
}
