import { recordAuditEvent, type RequestMeta } from '../audit.ts'
import type { ServiceContext } from '../context.ts'
import type { LoginChannel } from './types.ts'

/** Why a login failed; recorded, never shown to the client (which always sees one generic answer). */
export type LoginFailureReason = 'unknown_user' | 'wrong_password' | 'disabled' | 'password_too_long'

/**
 * Records a failed login (successes are recorded by `startSession`, in the session's transaction).
 * `username` is the name as typed, truncated: it shows spraying against names that do not exist.
 * The password never reaches this function.
 */
export async function recordLoginFailure(
  context: ServiceContext,
  meta: RequestMeta,
  input: { username: string; userId?: string | null; reason: LoginFailureReason; grant?: LoginChannel },
): Promise<void> {
  await recordAuditEvent(context.db, context.clock.now(), meta, {
    action: 'login.failure',
    outcome: 'failure',
    targetUserId: input.userId ?? null,
    details: { username: input.username.slice(0, 64), reason: input.reason, grant: input.grant },
  })
}

/** Records a request refused by brute-force throttling (429). */
export async function recordThrottled(
  context: ServiceContext,
  meta: RequestMeta,
  input: {
    username?: string
    userId?: string | null
    scope: 'account' | 'account_ip' | 'ip' | 'device'
    retryAfterSeconds: number
  },
): Promise<void> {
  await recordAuditEvent(context.db, context.clock.now(), meta, {
    action: 'login.throttled',
    outcome: 'failure',
    targetUserId: input.userId ?? null,
    details: {
      username: input.username?.slice(0, 64),
      scope: input.scope,
      retry_after_seconds: input.retryAfterSeconds,
    },
  })
}
