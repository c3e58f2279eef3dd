import { deleteRecoveryCodes } from '../../db/recovery-codes.ts'
import type { Executor } from '../../db/schema.ts'
import { revokeUserSessions } from '../../db/sessions.ts'
import { recordAuditEvent, type AuditAction, type RequestMeta } from '../audit.ts'
import { secondFactorMethods } from './factors.ts'

/** The account whose factors changed, and the session that changed them (kept alive; null: none). */
export interface FactorChangeCaller {
  userId: string
  sessionId: string | null
  meta: RequestMeta
}

/** How a factor change is audited; `revoked_sessions` is added to the details. */
export interface FactorChangeAudit {
  action: AuditAction
  details?: Record<string, unknown>
}

// The enrollment policy: a session opened before the account's factors changed does not live on past
// the change (one opened with the password alone, or with a factor now gone). Only the caller's stays.
async function endOtherSessions(
  executor: Executor,
  now: number,
  caller: FactorChangeCaller,
  reason: 'mfa_enabled' | 'mfa_disabled',
  audit: FactorChangeAudit,
): Promise<number> {
  const revokedSessions = await revokeUserSessions(
    executor,
    caller.userId,
    now,
    reason,
    caller.sessionId ?? undefined,
  )
  await recordAuditEvent(executor, now, caller.meta, {
    action: audit.action,
    actorUserId: caller.userId,
    targetUserId: caller.userId,
    sessionId: caller.sessionId,
    details: { ...audit.details, revoked_sessions: revokedSessions },
  })
  return revokedSessions
}

/**
 * After a second factor was added, in `executor`'s transaction: every other session of the account is
 * revoked and the change audited. Returns how many sessions were revoked.
 */
export async function endSessionsAfterFactorAdded(
  executor: Executor,
  now: number,
  caller: FactorChangeCaller,
  audit: FactorChangeAudit,
): Promise<number> {
  return endOtherSessions(executor, now, caller, 'mfa_enabled', audit)
}

/**
 * After a second factor was removed, in `executor`'s transaction: the recovery codes go with the last
 * factor (they are a fallback for one, not a factor of their own), every other session of the account
 * is revoked and the change audited. Returns how many sessions were revoked.
 */
export async function endSessionsAfterFactorRemoved(
  executor: Executor,
  now: number,
  caller: FactorChangeCaller,
  audit: FactorChangeAudit,
): Promise<number> {
  if ((await secondFactorMethods(executor, caller.userId)).length === 0)
    await deleteRecoveryCodes(executor, caller.userId)
  return endOtherSessions(executor, now, caller, 'mfa_disabled', audit)
}
