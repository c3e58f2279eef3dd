/**
 * The value, or a thrown error naming what was missing: a typed stand-in for a non-null assertion, so a
 * missing value fails the test where it is read instead of as a TypeError further on.
 */
export function defined<T>(value: T | null | undefined, what = 'value'): T {
  if (value === null || value === undefined) throw new Error(`${what} is missing`)
  return value
}
