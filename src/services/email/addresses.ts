import { domainToASCII } from 'node:url'
import { AppError } from '../../errors.ts'
import { canonicalUsername } from '../usernames.ts'

// RFC 5321 §4.5.3.1: 64 octets for the local part, 254 for a whole address that fits in a path.
const MAX_LOCAL_BYTES = 64
const MAX_ADDRESS_BYTES = 254
// No spaces, controls, quotes or the characters that delimit addresses in headers: an address that
// needs quoting is refused rather than risk a header that says something else than we meant.
const LOCAL_PART = /^[^\s\p{Cc}\p{Cf}"(),:;<>@[\\\]]+$/u

/** An address as stored: as typed, and the key it is unique and looked up by. */
export interface NormalizedEmail {
  address: string
  key: string
}

/**
 * Parses an email address. The key lower-cases the domain after IDNA (UTS #46, through node:url's
 * domainToASCII, so "Bücher.Example" and "xn--bcher-kva.example" are one domain) and case-folds the
 * local part as usernames are folded. Returns undefined for anything that is not a plain address.
 */
export function parseEmail(input: string): NormalizedEmail | undefined {
  const address = input.trim()
  if (address.length === 0 || Buffer.byteLength(address, 'utf8') > MAX_ADDRESS_BYTES) return undefined
  const at = address.lastIndexOf('@')
  if (at <= 0 || at === address.length - 1) return undefined
  const local = address.slice(0, at)
  const domain = address.slice(at + 1)
  if (Buffer.byteLength(local, 'utf8') > MAX_LOCAL_BYTES || !LOCAL_PART.test(local)) return undefined
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return undefined
  const asciiDomain = domainToASCII(domain).toLowerCase()
  // A domain with at least one dot and no empty label; IP literals and bare hosts are not accepted.
  if (asciiDomain === '' || !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(asciiDomain)) return undefined
  return { address, key: `${canonicalUsername(local)}@${asciiDomain}` }
}

/** Parses an address or refuses it with a 422 naming the field. */
export function requireEmail(input: string): NormalizedEmail {
  const parsed = parseEmail(input)
  if (!parsed) throw new AppError(422, 'validation_failed', 'Email address is not valid')
  return parsed
}

/** The key of an address, or undefined when it is not one (lookups of what a user typed). */
export function emailKey(input: string): string | undefined {
  return parseEmail(input)?.key
}
