import { createHash } from 'node:crypto'
import { AppError } from '../../errors.ts'
import {
  consumeOneTimeSecretById,
  recordOneTimeSecretFailure,
  type OneTimeSecretRow,
} from '../../db/one-time-secrets.ts'
import type { Executor } from '../../db/schema.ts'
import { findUserById, type UserRow } from '../../db/users.ts'
import type { ServiceContext } from '../context.ts'
import type { AuthenticationMethod } from '../login/types.ts'
import { findLiveOneTimeToken, issueOneTimeSecret } from '../one-time-secrets.ts'

// The `mfa_token` of an mfa_required (or mfa_enrollment_required) answer: a one-time secret, stored
// hashed, living five minutes, allowing five wrong codes, consumed by the one request that completes
// the login. It is bound to the account and to the password proof: the binding holds the methods the
// first step proved and a digest of the password hash, so a password change voids every pending token.

/** What an mfa_token is for. */
export type MfaTokenPurpose = 'mfa_token' | 'mfa_enrollment'

/** Lifetime of an mfa_token. */
export const MFA_TOKEN_TTL_SECONDS = 300
// Enrollment needs time to install an app and scan a code.
const ENROLLMENT_TOKEN_TTL_SECONDS = 600

/** A live token and the account it names, looked up without being used. */
export interface PendingSecondFactor {
  secret: OneTimeSecretRow
  user: UserRow
  /** What the first step proved (`pwd`). */
  firstMethods: AuthenticationMethod[]
}

function passwordDigest(passwordHash: string): string {
  return createHash('sha256').update(passwordHash, 'utf8').digest('base64url')
}

function binding(user: Pick<UserRow, 'password_hash'>, methods: readonly AuthenticationMethod[]): string {
  return `${methods.join(' ')}|${passwordDigest(user.password_hash)}`
}

/** Issues an mfa_token (or an enrollment token) for a user who just passed the first step. */
export async function issueMfaToken(
  context: ServiceContext,
  user: Pick<UserRow, 'id' | 'password_hash'>,
  methods: readonly AuthenticationMethod[],
  purpose: MfaTokenPurpose,
): Promise<string> {
  const issued = await issueOneTimeSecret(context.db, context, {
    userId: user.id,
    purpose,
    ttlSeconds: purpose === 'mfa_token' ? MFA_TOKEN_TTL_SECONDS : ENROLLMENT_TOKEN_TTL_SECONDS,
    binding: binding(user, methods),
  })
  return issued.token
}

function invalidMfaToken(): AppError {
  return new AppError(401, 'invalid_mfa_token', 'The mfa_token is invalid, expired or already used')
}

/**
 * The live token's account, checked against its binding (same password, still enabled), or 401
 * invalid_mfa_token. The token is not used here: `consumeMfaToken` does that with the factor.
 */
export async function findPendingSecondFactor(
  context: ServiceContext,
  token: string,
  purpose: MfaTokenPurpose,
): Promise<PendingSecondFactor> {
  const secret = await findLiveOneTimeToken(context, { purpose, token })
  if (!secret) throw invalidMfaToken()
  const user = await findUserById(context.db, secret.user_id)
  if (!user || user.disabled_at !== null) throw invalidMfaToken()
  const [methods = '', digest] = secret.binding.split('|')
  if (digest !== passwordDigest(user.password_hash)) throw invalidMfaToken()
  const firstMethods = methods.split(' ').filter((method) => method !== '') as AuthenticationMethod[]
  return { secret, user, firstMethods }
}

/** Uses the token in `executor`'s transaction; of parallel uses exactly one succeeds, the others get 401. */
export async function consumeMfaToken(
  executor: Executor,
  context: ServiceContext,
  pending: PendingSecondFactor,
): Promise<void> {
  if (!(await consumeOneTimeSecretById(executor, pending.secret.id, context.clock.now())))
    throw invalidMfaToken()
}

/** Counts a wrong code against the token: after five, it is dead and the password must be given again. */
export async function recordMfaTokenFailure(
  context: ServiceContext,
  pending: PendingSecondFactor,
): Promise<void> {
  await recordOneTimeSecretFailure(context.db, pending.secret.id)
}
