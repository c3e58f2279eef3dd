import { AppError } from '../../errors.ts'
import { recordAuditEvent, type RequestMeta } from '../audit.ts'
import type { ServiceContext } from '../context.ts'
import { withLoginThrottle } from '../login/throttled.ts'
import type { TokenPair } from '../refresh-tokens.ts'
import type { RateLimitSink } from '../throttle/rate-limit-info.ts'
import { assertWellFormed } from '../well-formed.ts'
import { consumeMfaToken, findPendingSecondFactor } from './mfa-token.ts'
import {
  finishSecondFactorLogin,
  recordSecondFactorFailure,
  secondFactorThrottle,
} from './second-factor-login.ts'
import { activateTotp, createPendingTotp, type TotpEnrollment } from './totp-enrollment.ts'

// GATEHOUSE_MFA=required (or required-for-admins) and an account without a factor: the correct password
// yields mfa_enrollment_required and a token that allows exactly this, enrolling TOTP, and nothing else.
// Only confirming the factor turns it into a login.

/** POST /login/mfa/enroll/totp: starts TOTP enrollment with an enrollment token (not used up yet). */
export async function startEnrollmentWithToken(
  context: ServiceContext,
  mfaToken: string,
  meta: RequestMeta,
): Promise<TotpEnrollment> {
  const pending = await findPendingSecondFactor(context, mfaToken, 'mfa_enrollment')
  const enrollment = await createPendingTotp(context, pending.user)
  await recordAuditEvent(context.db, context.clock.now(), meta, {
    action: 'mfa.totp.enroll',
    actorUserId: pending.user.id,
    targetUserId: pending.user.id,
    details: { required_by_policy: true },
  })
  return enrollment
}

/**
 * POST /login/mfa/enroll/totp/confirm: activates the factor with a code (counted by the login throttle),
 * uses up the token, and signs in with `pwd otp mfa`. The recovery codes come back once, beside the tokens.
 */
export async function confirmEnrollmentWithToken(
  context: ServiceContext,
  attempt: {
    mfaToken: string
    code: string
    meta: RequestMeta
    onRateLimit?: RateLimitSink | undefined
    deviceToken?: string | undefined
  },
): Promise<{ pair: TokenPair; recoveryCodes: string[] }> {
  assertWellFormed(attempt.code, 'Code')
  const pending = await findPendingSecondFactor(context, attempt.mfaToken, 'mfa_enrollment')
  const { recoveryCodes } = await withLoginThrottle(
    context,
    secondFactorThrottle(context, pending, attempt),
    () =>
      context.db
        .transaction()
        .execute(async (trx) => {
          await consumeMfaToken(trx, context, pending)
          return activateTotp(
            trx,
            context,
            { userId: pending.user.id, sessionId: null, meta: attempt.meta },
            attempt.code,
          )
        })
        .catch(async (error: unknown) => {
          if (error instanceof AppError && error.code === 'invalid_credentials') {
            await recordSecondFactorFailure(context, pending, 'totp', attempt.meta)
          }
          throw error
        }),
  )
  const result = await finishSecondFactorLogin(context, pending, ['otp'], attempt.meta)
  // The proof now holds `otp`, so the login pipeline has no further step to ask for.
  if (result.kind !== 'tokens') throw new Error(`enrollment ended in ${result.kind}`)
  return { pair: result.pair, recoveryCodes }
}
