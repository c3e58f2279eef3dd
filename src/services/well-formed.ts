import { AppError, type ErrorCode } from '../errors.ts'

// With the `u` flag a lone surrogate is read as a code point of category Cs, while a proper pair is one
// astral code point: so this matches exactly the ill-formed parts of a string. (String.isWellFormed
// says the same, but the ES2023 library this project compiles against does not declare it.)
const LONE_SURROGATE = /\p{Surrogate}/u

/** True when a string is well-formed UTF-16: it holds no lone surrogate. */
export function isWellFormedText(value: string): boolean {
  return !LONE_SURROGATE.test(value)
}

/**
 * Refuses a string holding a lone surrogate with a 422. UTF-8 encoding turns every lone surrogate into
 * U+FFFD, so "a\ud800b" and "a\udfffb" would hash and compare as the same password (issue 16, finding 6).
 */
export function assertWellFormed(value: string, field: string, code: ErrorCode = 'validation_failed'): void {
  if (!isWellFormedText(value)) {
    throw new AppError(422, code, `${field} must be well-formed Unicode text (it holds a lone surrogate)`)
  }
}
