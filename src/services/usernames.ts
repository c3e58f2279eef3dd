import { foldUsername } from '../db/migrations/username-folding.ts'
import { AppError } from '../errors.ts'
import { satisfiesBidiRule } from './unicode/bidi-rule.ts'
import { firstDisallowedCodePoint, mapWidth } from './unicode/precis.ts'
import { confusableSkeleton } from './unicode/skeleton.ts'
import { assertWellFormed } from './well-formed.ts'

const MAX_USERNAME_LENGTH = 64
const ALLOWED = /^[\p{L}\p{M}\p{N}._@+-]+$/u

/**
 * The key usernames are unique by: NFKC, then full case folding, so "Race", "RACE" and "ｒａｃｅ" collide,
 * and so do "straße", "STRAẞE" and "STRASSE", or "σας", "σασ" and "ΣΑΣ".
 */
export function canonicalUsername(username: string): string {
  // The folding migration 005 stored every existing key with, so a new key always matches the stored
  // ones. A different key needs a migration that recomputes them; this then uses that migration's folding.
  return foldUsername(username)
}

/** A new username as stored: the display form, the key it is unique by, and its lookalike key. */
export interface NormalizedUsername {
  display: string
  canonical: string
  skeleton: string
}

/**
 * The UTS #39 confusable skeleton of a canonical name: the second key usernames are unique by, so
 * "rооt1" (Cyrillic о) is refused while "root1" exists (issue 16, finding 1).
 */
export function usernameSkeleton(canonical: string): string {
  return confusableSkeleton(canonical)
}

function invalidUsername(detail: string): AppError {
  return new AppError(422, 'invalid_username', detail)
}

const CHARACTER_RULE = `Username must be 1-${MAX_USERNAME_LENGTH} letters, digits or . _ @ + - characters`
// A combining mark must sit on a letter (directly or after other marks): on a digit or a dot it only
// decorates, as in "root1" + U+0301, which renders like "root1" in many fonts. The same nonspacing mark
// twice in a row draws once (UTS #39 §5.4).
const STRAY_MARK = /(?:^|[^\p{L}\p{M}])\p{M}/u
const DOUBLED_MARK = /(\p{Mn})\1/u

/**
 * Checks and normalizes a new username (registration, renames, admin changes, the CLI, imports): the
 * PRECIS UsernameCaseMapped profile of RFC 8265 (width mapping, then the IdentifierClass, NFC and the
 * Bidi Rule), plus Gatehouse's own narrower character set. The display form keeps its case; the
 * canonical form and the skeleton are what uniqueness is checked on.
 */
export function normalizeNewUsername(username: string): NormalizedUsername {
  assertWellFormed(username, 'Username', 'invalid_username')
  const prepared = mapWidth(username)
  const refused = firstDisallowedCodePoint(prepared)
  if (refused !== undefined) {
    const hex = refused.toString(16).toUpperCase().padStart(4, '0')
    throw invalidUsername(`Username must not contain U+${hex} (not allowed in usernames by RFC 8265)`)
  }
  const display = prepared.normalize('NFC')
  const length = [...display].length
  if (length < 1 || length > MAX_USERNAME_LENGTH || !ALLOWED.test(display))
    throw invalidUsername(CHARACTER_RULE)
  // Decomposed for the repeat check: NFC folds the first of two acute accents into "é".
  if (STRAY_MARK.test(display) || DOUBLED_MARK.test(display.normalize('NFD'))) {
    throw invalidUsername('Username must not place combining marks on anything but a letter')
  }
  if (!satisfiesBidiRule(display)) {
    throw invalidUsername(
      'Username mixes right-to-left and left-to-right text in a misleading order (RFC 5893)',
    )
  }
  const canonical = canonicalUsername(display)
  return { display, canonical, skeleton: usernameSkeleton(canonical) }
}
