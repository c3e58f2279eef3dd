import { AppError } from '../errors.ts'

const MAX_USERNAME_LENGTH = 64
const ALLOWED = /^[\p{L}\p{M}\p{N}._@+-]+$/u

/**
 * The key usernames are unique by: NFKC, then full case folding, so "Race", "RACE" and "ｒａｃｅ" collide,
 * and so do "straße" and "STRASSE", or "σας" and "ΣΑΣ". Lower-casing alone is not case folding: "ß" has no
 * one-letter upper case and "ς" is a final sigma. Going through upper case first maps "ß" to "ss" and
 * every sigma to Σ, which lower-casing then turns into one form.
 */
export function canonicalUsername(username: string): string {
  return username.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC')
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
