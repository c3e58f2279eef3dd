import { makeValidator } from 'envalid'
import type { DatabaseTarget } from '../config.ts'

// Validators shared by the settings in config.ts and the feature sections beside this file.

/** A whole number between min and max (inclusive). */
export const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  makeValidator<number>((input) => {
    // A negative number is a whole number too: say what is wrong with it (issue 15).
    if (/^-\d+$/.test(input.trim())) throw new Error(`must be between ${min} and ${max}, got ${input.trim()}`)
    if (!/^\d+$/.test(input.trim())) throw new Error(`must be a whole number, got "${input}"`)
    const value = Number(input)
    if (value < min || value > max) throw new Error(`must be between ${min} and ${max}, got ${value}`)
    return value
  })

/** Parses a GATEHOUSE_DATABASE_URL value; throws with the reason when it is not one. */
export function parseDatabaseUrl(input: string): DatabaseTarget {
  if (input === 'sqlite::memory:') return { kind: 'sqlite', path: ':memory:' }
  if (input.startsWith('sqlite:')) {
    const path = input.slice('sqlite:'.length)
    if (path.length === 0) throw new Error('sqlite: needs a file path, e.g. sqlite:./data/gatehouse.db')
    return { kind: 'sqlite', path }
  }
  if (/^postgres(ql)?:\/\//.test(input)) return { kind: 'postgres', url: input }
  throw new Error('must be sqlite:<path>, sqlite::memory: or postgres://…')
}

/** GATEHOUSE_DATABASE_URL. */
export const databaseUrl = makeValidator<DatabaseTarget>(parseDatabaseUrl)

/** A comma-separated list of id:secret pairs. */
export const introspectionClients = makeValidator<Array<{ id: string; secret: string }>>((input) => {
  if (input.trim() === '') return []
  return input.split(',').map((entry) => {
    const separator = entry.indexOf(':')
    const id = entry.slice(0, separator).trim()
    const secret = entry.slice(separator + 1).trim()
    if (separator < 1 || id.length === 0) throw new Error('must be a comma-separated list of id:secret')
    if (Buffer.byteLength(secret, 'utf8') < 16)
      throw new Error(`client "${id}" needs a secret of at least 16 bytes`)
    return { id, secret }
  })
})

/** A comma-separated list; blanks dropped. */
export const list = makeValidator<string[]>((input) =>
  input
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0),
)

// Off by default: X-Forwarded-For is client-controlled unless a proxy we trust wrote it.
/** GATEHOUSE_TRUST_PROXY. */
export const trustProxy = makeValidator<number>((input) => {
  const value = input.trim().toLowerCase()
  if (value === '' || value === 'false' || value === 'off' || value === '0') return 0
  if (value === 'true' || value === 'on') return 1
  if (/^\d+$/.test(value) && Number(value) <= 10) return Number(value)
  throw new Error('must be off, on (one proxy hop) or the number of trusted proxy hops (0-10)')
})

/** An absolute URL without query or fragment. */
export const issuerUrl = makeValidator<string>((input) => {
  let url: URL
  try {
    url = new URL(input)
  } catch {
    throw new Error(`must be an absolute URL, got "${input}"`)
  }
  if (url.search || url.hash) throw new Error('must not have a query or fragment (RFC 8414 §2)')
  return input
})
