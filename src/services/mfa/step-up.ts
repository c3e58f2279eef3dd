import { AppError } from '../../errors.ts'
import { findSessionAuthentication } from '../../db/session-authentication.ts'
import { findUserById } from '../../db/users.ts'
import { recordAuditEvent, type RequestMeta } from '../audit.ts'
import type { ServiceContext } from '../context.ts'
import { confirmCurrentPassword } from '../login/reauthenticate.ts'
import { withLoginThrottle } from '../login/throttled.ts'
import type { RateLimitSink } from '../throttle/rate-limit-info.ts'
import { acceptTotpCode, secondFactorMethods } from './factors.ts'
import { incorrectCode } from './second-factor-login.ts'

/** The signed-in caller of a sensitive change (an AccountCaller or an AdminActor fits). */
export interface StepUpCaller {
  userId: string
  /** The name the login throttle counts under; looked up when absent. */
  username?: string | undefined
  sessionId: string
  meta: RequestMeta
  onRateLimit?: RateLimitSink | undefined
}

/** A fresh proof offered with the request, for a session whose login is older than the limit. */
export interface StepUpProof {
  password?: string | undefined
  /** A TOTP code, needed with the password when the account has TOTP. */
  code?: string | undefined
}

/** 401 reauthentication_required: sign in again, or send the current password (and a code). */
export function reauthenticationRequired(
  detail = 'Sign in again, or give your current password and a code',
): AppError {
  return new AppError(401, 'reauthentication_required', detail)
}

/**
 * Step-up for sensitive changes (disabling a factor, new recovery codes, password or email change,
 * account deletion, admin role changes, passkey registration). Passes when the session's login is at
 * most GATEHOUSE_REAUTH_MAX_AGE seconds old; otherwise the request must carry what a fresh login would
 * need: the current password, plus a TOTP code when the account has TOTP (both checked under the
 * login throttle). An account whose only factor is a passkey signs in again instead. 401
 * `reauthentication_required` otherwise. Returns whether the password was checked here.
 */
export async function requireStepUp(
  context: ServiceContext,
  caller: StepUpCaller,
  proof: StepUpProof = {},
): Promise<{ passwordChecked: boolean }> {
  const session = await findSessionAuthentication(context.db, caller.sessionId)
  const maxAgeMs = context.config.mfa.reauthMaxAgeSeconds * 1000
  if (session && context.clock.now() - session.authTime <= maxAgeMs) return { passwordChecked: false }
  if (proof.password === undefined) throw reauthenticationRequired()
  const username = caller.username ?? (await findUserById(context.db, caller.userId))?.username ?? ''
  await confirmCurrentPassword(context, { ...caller, username, password: proof.password })
  const methods = await secondFactorMethods(context.db, caller.userId)
  if (methods.length === 0) return { passwordChecked: true }
  if (!methods.includes('totp')) throw reauthenticationRequired('Sign in again with your passkey')
  const code = proof.code
  if (code === undefined) throw reauthenticationRequired('A code from your authenticator app is required')
  await withLoginThrottle(context, { ...caller, username }, async () => {
    if (!(await acceptTotpCode(context.db, context, caller.userId, code))) {
      await recordAuditEvent(context.db, context.clock.now(), caller.meta, {
        action: 'mfa.step_up.failure',
        outcome: 'failure',
        actorUserId: caller.userId,
        targetUserId: caller.userId,
        sessionId: caller.sessionId,
      })
      throw incorrectCode()
    }
  })
  return { passwordChecked: true }
}
