import { AppError } from '../../errors.ts'
import type { Executor } from '../../db/schema.ts'
import {
  deletePendingTotpFactor,
  deleteTotpFactor,
  findTotpFactor,
  insertTotpFactor,
} from '../../db/totp-factors.ts'
import type { AccountCaller } from '../account.ts'
import { recordAuditEvent } from '../audit.ts'
import type { ServiceContext } from '../context.ts'
import { confirmCurrentPassword } from '../login/reauthenticate.ts'
import { withLoginThrottle } from '../login/throttled.ts'
import { newId } from '../random.ts'
import {
  endSessionsAfterFactorAdded,
  endSessionsAfterFactorRemoved,
  type FactorChangeCaller,
} from './factor-change.ts'
import { acceptTotpCode, secondFactorMethods } from './factors.ts'
import { generateRecoveryCodes } from './recovery-codes.ts'
import { incorrectCode } from './second-factor-login.ts'
import { requireStepUp } from './step-up.ts'
import { base32Secret, newTotpKey, otpauthUri, qrSvg } from './totp.ts'

/** What enrollment shows once: the secret for manual entry, its otpauth:// URI and that URI as a QR code. */
export interface TotpEnrollment {
  secret: string
  otpauth_uri: string
  qr_svg: string
}

/** The issuer name apps show beside the code: the host of the public URL. */
function issuerName(context: ServiceContext): string {
  return `Gatehouse (${new URL(context.config.publicUrl).host})`
}

/**
 * Creates a pending TOTP factor for an account (replacing an earlier pending one); nothing is active
 * until a code confirms it. 409 when TOTP is already active.
 */
export async function createPendingTotp(
  context: ServiceContext,
  user: { id: string; username: string },
): Promise<TotpEnrollment> {
  const key = newTotpKey()
  const now = context.clock.now()
  await context.db.transaction().execute(async (trx) => {
    const existing = await findTotpFactor(trx, user.id)
    if (existing !== undefined && existing.confirmed_at !== null) {
      throw new AppError(409, 'mfa_already_enabled', 'TOTP is already enabled; disable it first')
    }
    await deletePendingTotpFactor(trx, user.id)
    await insertTotpFactor(trx, {
      id: newId(),
      user_id: user.id,
      // Sealed like the signing keys: a copy of the database alone does not yield the codes.
      secret_sealed: context.secretBox.seal(key.toString('base64url')),
      created_at: now,
      confirmed_at: null,
      last_used_step: null,
    })
  })
  const uri = otpauthUri(key, issuerName(context), user.username)
  return { secret: base32Secret(key), otpauth_uri: uri, qr_svg: await qrSvg(uri) }
}

/** POST /mfa/totp: starts enrollment after the current password (under the login throttle). */
export async function startTotpEnrollment(
  context: ServiceContext,
  caller: AccountCaller,
  password: string,
): Promise<TotpEnrollment> {
  await confirmCurrentPassword(context, { ...caller, password })
  const enrollment = await createPendingTotp(context, { id: caller.userId, username: caller.username })
  await recordAuditEvent(context.db, context.clock.now(), caller.meta, {
    action: 'mfa.totp.enroll',
    actorUserId: caller.userId,
    targetUserId: caller.userId,
    sessionId: caller.sessionId,
  })
  return enrollment
}

/**
 * Activates the pending factor with a code from the app, in `executor`'s transaction: ten recovery
 * codes are made, and every session but the caller's is revoked (the enrollment policy: a session
 * opened with the password alone does not live on once the account has a second factor).
 */
export async function activateTotp(
  executor: Executor,
  context: ServiceContext,
  caller: FactorChangeCaller,
  code: string,
): Promise<{ recoveryCodes: string[]; revokedSessions: number }> {
  const now = context.clock.now()
  if (!(await acceptTotpCode(executor, context, caller.userId, code, now))) throw incorrectCode()
  const recoveryCodes = await generateRecoveryCodes(executor, caller.userId, now)
  const revokedSessions = await endSessionsAfterFactorAdded(executor, now, caller, {
    action: 'mfa.totp.enable',
  })
  return { recoveryCodes, revokedSessions }
}

/** POST /mfa/totp/confirm: a wrong code counts under the login throttle. Returns the recovery codes once. */
export async function confirmTotpEnrollment(
  context: ServiceContext,
  caller: AccountCaller,
  code: string,
): Promise<{ recoveryCodes: string[] }> {
  const factor = await findTotpFactor(context.db, caller.userId)
  if (!factor || factor.confirmed_at !== null) {
    throw new AppError(409, 'mfa_not_enabled', 'No TOTP enrollment is pending; start one with POST /mfa/totp')
  }
  const { recoveryCodes } = await withLoginThrottle(context, caller, () =>
    context.db.transaction().execute((trx) => activateTotp(trx, context, caller, code)),
  )
  return { recoveryCodes }
}

/**
 * DELETE /mfa/totp: needs the current password and a current code (the step-up proof, whatever the
 * session's age). Recovery codes go too unless a passkey remains; every other session is revoked.
 */
export async function disableTotp(
  context: ServiceContext,
  caller: AccountCaller,
  input: { password: string; code: string },
): Promise<{ revokedSessions: number }> {
  const factor = await findTotpFactor(context.db, caller.userId)
  if (factor === undefined || factor.confirmed_at === null)
    throw new AppError(409, 'mfa_not_enabled', 'TOTP is not enabled')
  await confirmCurrentPassword(context, { ...caller, password: input.password })
  return withLoginThrottle(context, caller, () =>
    context.db.transaction().execute(async (trx) => {
      if (!(await acceptTotpCode(trx, context, caller.userId, input.code))) throw incorrectCode()
      const now = context.clock.now()
      await deleteTotpFactor(trx, caller.userId)
      const revokedSessions = await endSessionsAfterFactorRemoved(trx, now, caller, {
        action: 'mfa.totp.disable',
      })
      return { revokedSessions }
    }),
  )
}

/** POST /mfa/recovery-codes: ten new codes replace the old ones (step-up required). */
export async function regenerateRecoveryCodes(
  context: ServiceContext,
  caller: AccountCaller,
  proof: { password?: string | undefined; code?: string | undefined },
): Promise<{ recoveryCodes: string[] }> {
  await requireStepUp(context, caller, proof)
  if ((await secondFactorMethods(context.db, caller.userId)).length === 0) {
    throw new AppError(409, 'mfa_not_enabled', 'Enable a second factor first')
  }
  return context.db.transaction().execute(async (trx) => {
    const now = context.clock.now()
    const recoveryCodes = await generateRecoveryCodes(trx, caller.userId, now)
    await recordAuditEvent(trx, now, caller.meta, {
      action: 'mfa.recovery_codes.regenerate',
      actorUserId: caller.userId,
      targetUserId: caller.userId,
      sessionId: caller.sessionId,
    })
    return { recoveryCodes }
  })
}
