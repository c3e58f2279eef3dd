import type { Config } from '../../config.ts'
import { countUnusedRecoveryCodes } from '../../db/recovery-codes.ts'
import type { Executor } from '../../db/schema.ts'
import { acceptTotpStep, findTotpFactor, type TotpFactorRow } from '../../db/totp-factors.ts'
import { listWebauthnCredentials } from '../../db/webauthn.ts'
import type { ServiceContext } from '../context.ts'
import { matchTotpStep } from './totp.ts'

import type { SecondFactorMethod } from '../login/types.ts'

/** An account's factors, as GET /mfa and the admin view show them (never a secret). */
export interface FactorSummary {
  totp: { enabled: boolean; confirmed_at: string | null }
  recovery_codes_remaining: number
  webauthn: Array<{ id: string; name: string; created_at: string; last_used_at: string | null }>
}

const isoOrNull = (time: number | null) => (time === null ? null : new Date(time).toISOString())

/** The active second-factor methods of an account (a pending TOTP enrollment is not one). */
export async function secondFactorMethods(db: Executor, userId: string): Promise<SecondFactorMethod[]> {
  const [totp, recoveryCodes, credentials] = await Promise.all([
    findTotpFactor(db, userId),
    countUnusedRecoveryCodes(db, userId),
    listWebauthnCredentials(db, userId),
  ])
  const methods: SecondFactorMethod[] = []
  if (totp !== undefined && totp.confirmed_at !== null) methods.push('totp')
  if (credentials.length > 0) methods.push('webauthn')
  if (methods.length > 0 && recoveryCodes > 0) methods.push('recovery_code')
  return methods
}

/** The account's factors for display. */
export async function summarizeFactors(db: Executor, userId: string): Promise<FactorSummary> {
  const [totp, recoveryCodes, credentials] = await Promise.all([
    findTotpFactor(db, userId),
    countUnusedRecoveryCodes(db, userId),
    listWebauthnCredentials(db, userId),
  ])
  const confirmedAt = totp?.confirmed_at ?? null
  return {
    totp: { enabled: confirmedAt !== null, confirmed_at: isoOrNull(confirmedAt) },
    recovery_codes_remaining: recoveryCodes,
    webauthn: credentials.map((credential) => ({
      id: credential.id,
      name: credential.name,
      created_at: new Date(credential.created_at).toISOString(),
      last_used_at: isoOrNull(credential.last_used_at),
    })),
  }
}

/** True when GATEHOUSE_MFA requires a second factor of an account with this role. */
export function factorRequired(config: Config, role: string): boolean {
  const { policy } = config.mfa
  return policy === 'required' || (policy === 'required-for-admins' && role === 'admin')
}

/** Methods that prove a second factor (RFC 8176): a one-time code, or a WebAuthn key. */
export const SECOND_FACTOR_PROOFS: ReadonlySet<string> = new Set(['otp', 'hwk', 'swk'])

/**
 * False when policy requires a second factor of this role and the session's login (its stored `amr`,
 * space-separated; null on sessions older than second factors) did not prove one.
 */
export function sessionMeetsFactorPolicy(config: Config, role: string, amr: string | null): boolean {
  if (!factorRequired(config, role)) return true
  return (amr ?? '').split(' ').some((method) => SECOND_FACTOR_PROOFS.has(method))
}

/** The raw TOTP key of a stored factor (sealed at rest like the signing keys). */
export function openTotpKey(context: ServiceContext, factor: TotpFactorRow): Buffer {
  return Buffer.from(context.secretBox.open(factor.secret_sealed), 'base64url')
}

/**
 * Checks a TOTP code against the account's active factor and accepts its time step, which only a later
 * step can follow: a code is accepted once, and of parallel uses exactly one wins. `confirmAt` checks
 * a pending factor instead and activates it.
 */
export async function acceptTotpCode(
  executor: Executor,
  context: ServiceContext,
  userId: string,
  code: string,
  confirmAt?: number,
): Promise<boolean> {
  const factor = await findTotpFactor(executor, userId)
  if (!factor || (factor.confirmed_at === null) !== (confirmAt !== undefined)) return false
  const step = matchTotpStep(openTotpKey(context, factor), code, context.clock.now())
  if (step === undefined) return false
  return acceptTotpStep(executor, factor.id, step, confirmAt)
}
