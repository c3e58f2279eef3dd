import { isArgon2Hash, isBcryptHash } from '../passwords.ts'
import { parseEmail, type NormalizedEmail } from '../email/addresses.ts'
import { normalizeNewUsername, type NormalizedUsername } from '../usernames.ts'

/** One row as a source yields it, before any check; `ref` says where it came from ("id 7", "line 3"). */
export interface SourceRow {
  ref: string
  username: unknown
  passwordHash: unknown
  role: unknown
  /** JSON Lines only: the address and whether it was verified at the source. */
  email?: unknown
  emailVerified?: unknown
  /** Set by a source that could not even read the row (bad JSON, unknown fields). */
  problem?: ImportProblemReason
}

/** A source of rows: how many there are (for the progress bar) and the rows, read lazily. */
export interface ImportSource {
  kind: 'fastapi-sqlite' | 'jsonl'
  name: string
  total: number
  rows: () => AsyncIterable<SourceRow> | Iterable<SourceRow>
  close: () => void
}

/** Why a row was not imported. */
export type ImportProblemReason =
  | 'invalid_json'
  | 'unknown_field'
  | 'invalid_username'
  | 'missing_hash'
  | 'unrecognized_hash'
  | 'unknown_role'
  | 'username_exists'
  | 'username_lookalike'
  | 'invalid_email'
  | 'email_exists'

/** A row that passed every check and can be inserted as is. */
export interface ValidRow {
  ref: string
  username: string
  canonical: string
  skeleton: string
  passwordHash: string
  role: string
  email: NormalizedEmail | null
  emailVerified: boolean
}

// A whole PHC string, not just the "$argon2" prefix: a truncated export must not become a broken login.
const ARGON2_PHC = /^\$argon2(id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/

/** True for a bcrypt hash (passlib's $2a$/$2b$/$2y$) or a complete argon2 PHC string. */
export function isImportableHash(hash: string): boolean {
  return isBcryptHash(hash) || (isArgon2Hash(hash) && ARGON2_PHC.test(hash))
}

/** Checks one row; the hash is kept byte for byte, so users log in with their old password. */
export function validateRow(
  row: SourceRow,
  roles: readonly string[],
): { ok: true; row: ValidRow } | { ok: false; reason: ImportProblemReason } {
  if (row.problem !== undefined) return { ok: false, reason: row.problem }
  if (typeof row.username !== 'string') return { ok: false, reason: 'invalid_username' }
  let name: NormalizedUsername
  try {
    name = normalizeNewUsername(row.username.trim())
  } catch {
    return { ok: false, reason: 'invalid_username' }
  }
  if (typeof row.passwordHash !== 'string' || row.passwordHash === '')
    return { ok: false, reason: 'missing_hash' }
  if (!isImportableHash(row.passwordHash)) return { ok: false, reason: 'unrecognized_hash' }
  const role = row.role === null || row.role === undefined || row.role === '' ? 'user' : row.role
  if (typeof role !== 'string' || !roles.includes(role)) return { ok: false, reason: 'unknown_role' }
  const email =
    row.email === undefined || row.email === null
      ? null
      : typeof row.email === 'string'
        ? parseEmail(row.email)
        : undefined
  const emailVerified = row.emailVerified ?? false
  if (email === undefined || typeof emailVerified !== 'boolean' || (emailVerified && email === null))
    return { ok: false, reason: 'invalid_email' }
  return {
    ok: true,
    row: {
      ref: row.ref,
      username: name.display,
      canonical: name.canonical,
      skeleton: name.skeleton,
      passwordHash: row.passwordHash,
      role,
      email,
      emailVerified,
    },
  }
}
