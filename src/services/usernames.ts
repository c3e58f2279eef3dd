import { AppError } from '../errors.ts'

const MAX_USERNAME_LENGTH = 64
const ALLOWED = /^[\p{L}\p{M}\p{N}._@+-]+$/u

/** The key usernames are unique by: NFKC, then lower case, so "Race", "RACE" and "ｒａｃｅ" collide. */
export function canonicalUsername(username: string): string {
  return username.normalize('NFKC').toLowerCase()
}

/** Checks and normalizes a username for storage; the display form keeps its case. */
export function normalizeNewUsername(username: string): { display: string; canonical: string } {
  const display = username.normalize('NFKC')
  const length = [...display].length
  if (length < 1 || length > MAX_USERNAME_LENGTH || !ALLOWED.test(display)) {
    throw new AppError(
      422,
      'invalid_username',
      `Username must be 1-${MAX_USERNAME_LENGTH} letters, digits or . _ @ + - characters`,
    )
  }
  return { display, canonical: canonicalUsername(display) }
}
