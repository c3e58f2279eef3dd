import { createHash, createHmac, hkdfSync, randomInt, timingSafeEqual } from 'node:crypto'
import {
  consumeOneTimeSecretById,
  consumeOneTimeSecretByTokenHash,
  findLiveCodeSecret,
  findLiveSecretByTokenHash,
  insertOneTimeSecret,
  recordOneTimeSecretFailure,
  type OneTimeSecretRow,
} from '../db/one-time-secrets.ts'
import type { Executor } from '../db/schema.ts'
import type { ServiceContext } from './context.ts'
import { newId, randomToken } from './random.ts'

// The one store for secrets that are used once: email links and codes, reset tokens, mfa_tokens.
// Tokens carry 256 bits, so a plain SHA-256 is a safe stored form. Six-digit codes carry 20 bits, so
// they are stored as an HMAC under a key derived from GATEHOUSE_SECRET: a copy of the table alone
// does not let anyone try the million codes offline.

/** What a one-time secret is for; a secret issued for one purpose never works for another. */
export type OneTimeSecretPurpose = string

/** A freshly issued secret: give the token (and code) to its owner; only hashes are stored. */
export interface IssuedOneTimeSecret {
  id: string
  token: string
  code?: string
  expiresAt: number
}

/** Options for {@link issueOneTimeSecret}. */
export interface IssueOptions {
  userId: string
  purpose: OneTimeSecretPurpose
  ttlSeconds: number
  /** What else the secret is bound to (an address, a password digest); checked on use. */
  binding?: string
  /** Also issue a six-digit code that can be used instead of the token. */
  withCode?: boolean
  /** Wrong codes allowed before the secret dies. */
  maxAttempts?: number
}

const DEFAULT_MAX_ATTEMPTS = 5
// Our tokens are 43 base64url characters; anything far longer is not worth hashing.
const MAX_TOKEN_LENGTH = 128

/** The stored form of a token (and of a WebAuthn challenge): 256 random bits need no slow hash. */
export function hashOneTimeToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url')
}

function codeKey(context: ServiceContext): Buffer {
  return Buffer.from(hkdfSync('sha256', context.config.secret, '', 'gatehouse/one-time-code', 32))
}

function hashCode(context: ServiceContext, secretId: string, code: string): string {
  return createHmac('sha256', codeKey(context)).update(`${secretId}:${code}`).digest('base64url')
}

/** A uniformly random six-digit code. */
export function randomSixDigitCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0')
}

/** Issues a one-time secret in `executor`'s transaction (so it exists only if the change commits). */
export async function issueOneTimeSecret(
  executor: Executor,
  context: ServiceContext,
  options: IssueOptions,
): Promise<IssuedOneTimeSecret> {
  const now = context.clock.now()
  const id = newId()
  const token = randomToken(32)
  const code = options.withCode ? randomSixDigitCode() : undefined
  const expiresAt = now + options.ttlSeconds * 1000
  await insertOneTimeSecret(executor, {
    id,
    user_id: options.userId,
    purpose: options.purpose,
    binding: options.binding ?? '',
    token_hash: hashOneTimeToken(token),
    code_hash: code === undefined ? null : hashCode(context, id, code),
    failed_attempts: 0,
    max_attempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    created_at: now,
    expires_at: expiresAt,
    consumed_at: null,
  })
  return { id, token, ...(code === undefined ? {} : { code }), expiresAt }
}

/**
 * Uses a token: returns its row exactly once (parallel uses race on one conditional update), or
 * undefined when it is unknown, expired, used, for another purpose or bound to something else.
 */
export async function consumeOneTimeToken(
  context: ServiceContext,
  input: { purpose: OneTimeSecretPurpose; token: string; binding?: string },
  executor: Executor = context.db,
): Promise<OneTimeSecretRow | undefined> {
  if (input.token.length > MAX_TOKEN_LENGTH) return undefined
  const row = await consumeOneTimeSecretByTokenHash(
    executor,
    input.purpose,
    hashOneTimeToken(input.token),
    context.clock.now(),
  )
  if (row && input.binding !== undefined && row.binding !== input.binding) return undefined
  return row
}

/**
 * Looks a live token up without using it, for a caller that consumes it later, with the change it
 * allows: its row, or undefined when it is unknown, expired, used or for another purpose.
 */
export async function findLiveOneTimeToken(
  context: ServiceContext,
  input: { purpose: OneTimeSecretPurpose; token: string },
  now = context.clock.now(),
): Promise<OneTimeSecretRow | undefined> {
  if (input.token.length > MAX_TOKEN_LENGTH) return undefined
  return findLiveSecretByTokenHash(context.db, input.purpose, hashOneTimeToken(input.token), now)
}

/**
 * Uses a code against the user's newest live secret for the purpose. A wrong code counts one try; the
 * secret dies after its allowed tries. Returns the row exactly once on success.
 */
export async function consumeOneTimeCode(
  context: ServiceContext,
  input: { userId: string; purpose: OneTimeSecretPurpose; code: string; binding?: string },
): Promise<OneTimeSecretRow | undefined> {
  const now = context.clock.now()
  const row = await findLiveCodeSecret(context.db, input.userId, input.purpose, now)
  if (!row?.code_hash) return undefined
  if (input.binding !== undefined && row.binding !== input.binding) return undefined
  const expected = Buffer.from(row.code_hash)
  const presented = Buffer.from(hashCode(context, row.id, input.code))
  if (expected.length !== presented.length || !timingSafeEqual(expected, presented)) {
    await recordOneTimeSecretFailure(context.db, row.id)
    return undefined
  }
  return (await consumeOneTimeSecretById(context.db, row.id, now)) ? row : undefined
}

export { revokeOneTimeSecrets } from '../db/one-time-secrets.ts'
