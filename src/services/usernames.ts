import { AppError } from '../errors.ts'
import { assertWellFormed } from './well-formed.ts'

const MAX_USERNAME_LENGTH = 64
const ALLOWED = /^[\p{L}\p{M}\p{N}._@+-]+$/u

/**
 * The key usernames are unique by: NFKC, then full case folding, so "Race", "RACE" and "ｒａｃｅ" collide,
 * and so do "straße", "STRAẞE" and "STRASSE", or "σας", "σασ" and "ΣΑΣ".
 */
export function canonicalUsername(username: string): string {
  // Lower-casing alone is not case folding: "ß" lower-cases to itself and "ς" is a final sigma. JS has no
  // casefold(), so lower → upper → lower stands in for it: the first step turns capital "ẞ" into "ß",
  // upper-casing then uses the full mappings ("ß" → "SS", "ς" → "Σ"), and the last step comes back down.
  // V8's toLowerCase() writes a word-final Σ as "ς", so "ς" then becomes "σ" as Unicode folding does;
  // otherwise the key of a prefix ("ασ" → "ας") would not be a prefix of the name's ("ασα"), and the
  // admin search would miss it. Compared with Unicode's full case folding, the only difference is that
  // Turkish dotless "ı" also collides with "i", which only makes uniqueness stricter.
  return username
    .normalize('NFKC')
    .toLowerCase()
    .toUpperCase()
    .toLowerCase()
    .normalize('NFKC')
    .replaceAll('ς', 'σ')
}

/** Checks and normalizes a username for storage; the display form keeps its case. */
export function normalizeNewUsername(username: string): { display: string; canonical: string } {
  assertWellFormed(username, 'Username', 'invalid_username')
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
