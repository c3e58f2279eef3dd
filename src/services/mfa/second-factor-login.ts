import { AppError } from '../../errors.ts'
import { recordAuditEvent, type RequestMeta } from '../audit.ts'
import type { ServiceContext } from '../context.ts'
import { completeLogin } from '../login/complete.ts'
import { issueDeviceToken, readDeviceToken } from '../login/device-tokens.ts'
import { withLoginThrottle } from '../login/throttled.ts'
import type { AuthenticationMethod, LoginResult } from '../login/types.ts'
import type { RateLimitSink } from '../throttle/rate-limit-info.ts'
import { assertWellFormed } from '../well-formed.ts'
import { acceptTotpCode } from './factors.ts'
import {
  consumeMfaToken,
  findPendingSecondFactor,
  recordMfaTokenFailure,
  type PendingSecondFactor,
} from './mfa-token.ts'
import { redeemRecoveryCode } from './recovery-codes.ts'

/** The second step of a login: the mfa_token and either a TOTP code or a recovery code. */
export interface SecondFactorAttempt {
  mfaToken: string
  code?: string | undefined
  recoveryCode?: string | undefined
  meta: RequestMeta
  onRateLimit?: RateLimitSink | undefined
  /** The client's device token (cookie or Gatehouse-Device header), unchecked. */
  deviceToken?: string | undefined
}

/**
 * The throttle key of a second-factor attempt: the account, counted on the client's own device counter
 * when it presents a valid device token of that account (OWASP device cookies), so someone who knows
 * the password and guesses codes elsewhere cannot lock the real user out of the second step either.
 */
export function secondFactorThrottle(
  context: ServiceContext,
  pending: PendingSecondFactor,
  attempt: { meta: RequestMeta; onRateLimit?: RateLimitSink | undefined; deviceToken?: string | undefined },
) {
  const device = readDeviceToken(context, attempt.deviceToken)
  return {
    username: pending.user.username,
    meta: attempt.meta,
    onRateLimit: attempt.onRateLimit,
    deviceId: device?.userId === pending.user.id ? device.deviceId : undefined,
  }
}

/** The one answer to a wrong code; counted by the account's login throttle (it is a credential failure). */
export function incorrectCode(): AppError {
  return new AppError(401, 'invalid_credentials', 'Incorrect or already used code', {
    'www-authenticate': 'Bearer',
  })
}

/**
 * Completes a login that answered mfa_required, with a TOTP code or a recovery code (POST /login/mfa
 * and the two /token grants). Wrong codes count under the account's login throttle and against the
 * token's five tries. The token, the code's time step (or the recovery code) are used in one
 * transaction, so parallel requests with one token or one code yield exactly one login.
 */
export async function logInWithSecondFactor(
  context: ServiceContext,
  attempt: SecondFactorAttempt,
): Promise<LoginResult> {
  const { code, recoveryCode } = attempt
  if ((code === undefined) === (recoveryCode === undefined)) {
    throw new AppError(422, 'validation_failed', 'Give either code or recovery_code')
  }
  assertWellFormed(code ?? recoveryCode ?? '', 'Code')
  const pending = await findPendingSecondFactor(context, attempt.mfaToken, 'mfa_token')
  const method = code === undefined ? 'recovery_code' : 'totp'
  await withLoginThrottle(context, secondFactorThrottle(context, pending, attempt), async () => {
    const now = context.clock.now()
    const accepted = await context.db
      .transaction()
      .execute(async (trx) => {
        await consumeMfaToken(trx, context, pending)
        const ok =
          code !== undefined
            ? await acceptTotpCode(trx, context, pending.user.id, code)
            : await redeemRecoveryCode(trx, pending.user.id, recoveryCode ?? '', now)
        // Rolls the token's use back: a wrong code spends one of its tries, not the token itself.
        if (!ok) throw incorrectCode()
        if (method === 'recovery_code') {
          await recordAuditEvent(trx, now, attempt.meta, {
            action: 'mfa.recovery_code.use',
            actorUserId: pending.user.id,
            targetUserId: pending.user.id,
          })
        }
        return ok
      })
      .catch(async (error: unknown) => {
        if (error instanceof AppError && error.code === 'invalid_credentials') {
          await recordSecondFactorFailure(context, pending, method, attempt.meta)
        }
        throw error
      })
    return accepted
  })
  return finishSecondFactorLogin(context, pending, ['otp'], attempt.meta)
}

/** Records a wrong second factor in the audit log and against the token's tries. */
export async function recordSecondFactorFailure(
  context: ServiceContext,
  pending: PendingSecondFactor,
  method: string,
  meta: RequestMeta,
): Promise<void> {
  await recordMfaTokenFailure(context, pending)
  await recordAuditEvent(context.db, context.clock.now(), meta, {
    action: 'mfa.failure',
    outcome: 'failure',
    targetUserId: pending.user.id,
    details: { method },
  })
}

/**
 * Ends a login whose second factor was just proven: through `completeLogin`, like every login, with
 * the first step's methods, the factor's and `mfa` (RFC 8176). The client becomes a trusted device.
 */
export async function finishSecondFactorLogin(
  context: ServiceContext,
  pending: PendingSecondFactor,
  factorMethods: AuthenticationMethod[],
  meta: RequestMeta,
): Promise<LoginResult> {
  const methods = [...new Set<AuthenticationMethod>([...pending.firstMethods, ...factorMethods, 'mfa'])]
  const result = await completeLogin(
    context,
    pending.user,
    { methods, authenticatedAt: context.clock.now() },
    meta,
  )
  if (result.kind !== 'tokens') return result
  return { ...result, pair: { ...result.pair, deviceToken: issueDeviceToken(context, pending.user.id) } }
}
