import { AppError } from '../../errors.ts'

// A cursor is opaque to clients (base64url of a small JSON pair) so its shape can change without
// breaking them; it is not signed because it grants nothing: the query behind it is re-authorized.

/** Encodes a keyset position (a time and a unique id) as an opaque cursor. */
export function encodeCursor(time: number, id: string): string {
  return Buffer.from(JSON.stringify([time, id]), 'utf8').toString('base64url')
}

/** Decodes a cursor from `encodeCursor`; anything else is a 422, never a 500. */
export function decodeCursor(cursor: string): { time: number; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      Number.isSafeInteger(value[0]) &&
      typeof value[1] === 'string' &&
      value[1].length <= 64
    ) {
      return { time: value[0] as number, id: value[1] }
    }
  } catch {
    // Fall through to the one error below.
  }
  throw new AppError(422, 'validation_failed', 'Invalid cursor')
}

/** Parses a `limit` query parameter (a string: query coercion is off) already checked by a pattern. */
export function parseLimit(limit: string | undefined, fallback: number, max: number): number {
  if (limit === undefined) return fallback
  const value = Number(limit)
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new AppError(422, 'validation_failed', `limit must be between 1 and ${max}`)
  }
  return value
}
