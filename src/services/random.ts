import { randomBytes } from 'node:crypto'
import { uuidv7 } from 'uuidv7'

// The one module that makes identifiers and secrets, so every caller draws from the CSPRNG.

/** A new time-ordered id (UUIDv7) for users, sessions and tokens. */
export function newId(): string {
  return uuidv7()
}

/** `bytes` random bytes as base64url text. */
export function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url')
}
