import { AppError } from '../../errors.ts'

// A cursor is opaque to clients (base64url of a small JSON pair) so its shape can change without
// breaking them; it is not signed because it grants nothing: the query behind it is re-authorized.

/** A keyset position: a time and a unique id that breaks ties. */
export interface KeysetPosition {
  time: number
  id: string
}

/** Encodes a keyset position as an opaque cursor. */
function encodeCursor({ time, id }: KeysetPosition): string {
  return Buffer.from(JSON.stringify([time, id]), 'utf8').toString('base64url')
}

/** Decodes a cursor from `encodeCursor`; anything else is a 422, never a 500. */
function decodeCursor(cursor: string): KeysetPosition {
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
function parseLimit(limit: string | undefined, fallback: number, max: number): number {
  if (limit === undefined) return fallback
  const value = Number(limit)
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new AppError(422, 'validation_failed', `limit must be between 1 and ${max}`)
  }
  return value
}

/** One page of a listing and the cursor of the next page (null on the last). */
export interface Page<Item> {
  items: Item[]
  next_cursor: string | null
}

/** How one listing is read a page at a time. */
export interface KeysetListing<Row, Item> {
  defaultLimit: number
  maxLimit: number
  /** Reads `limit` rows after `after` (from the start without one), in the listing's order. */
  fetchRows: (limit: number, after: KeysetPosition | undefined) => Promise<Row[]>
  /** Where a row stands, for the cursor of the page after it. */
  positionOf: (row: Row) => KeysetPosition
  toItem: (row: Row) => Item
}

/** Reads the page that the `limit` and `cursor` query parameters ask for (both checked here first). */
export async function readKeysetPage<Row, Item>(
  query: { limit?: string | undefined; cursor?: string | undefined },
  listing: KeysetListing<Row, Item>,
): Promise<Page<Item>> {
  const limit = parseLimit(query.limit, listing.defaultLimit, listing.maxLimit)
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
  // One extra row says whether another page exists without a second query.
  const rows = await listing.fetchRows(limit + 1, after)
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    items: page.map(listing.toItem),
    next_cursor: rows.length > limit && last ? encodeCursor(listing.positionOf(last)) : null,
  }
}
