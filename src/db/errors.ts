// Engine error shapes differ; this is the one place that knows both.

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
])

/** True when an insert or update broke a unique constraint, on SQLite or PostgreSQL. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
}

/** True when the database could not be reached or did not answer in time: the caller should get a 503. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') {
    if (CONNECTION_ERROR_CODES.has(code)) return true
    // SQLSTATE class 08 is connection exceptions; 57P01-57P03 are shutdown and start-up; 57014 is a timeout.
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '57014')
      return true
    if (code === 'SQLITE_BUSY') return true
  }
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error/i.test(
    error.message,
  )
}
