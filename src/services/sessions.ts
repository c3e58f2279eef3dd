import { insertSession } from '../db/sessions.ts'
import { touchLastLogin, type UserRow } from '../db/users.ts'
import type { ServiceContext } from './context.ts'
import { recordAuditEvent, type RequestMeta } from './audit.ts'
import { newId } from './random.ts'
import type { AuthenticationProof } from './login/types.ts'
import { insertNewRefreshToken, type TokenPair } from './refresh-tokens.ts'
import { signAccessToken } from './tokens/sign.ts'

/** Where a login came from, kept on the session for the user's own session list and the audit log. */
export type ClientInfo = RequestMeta

/**
 * Opens a session for a user who just proved who they are: the session row (with what was proved, and
 * when), its first refresh token and the `login.success` audit record are written in one transaction,
 * then the first access token is signed.
 */
export async function startSession(
  context: ServiceContext,
  user: Pick<UserRow, 'id' | 'username' | 'role'>,
  client: ClientInfo,
  proof: AuthenticationProof,
): Promise<TokenPair> {
  const now = context.clock.now()
  const sessionId = newId()
  // The absolute lifetime counts from login; rotating refresh tokens never extends it.
  const expiresAt = now + context.config.refreshTokenAbsoluteTtlSeconds * 1000
  const refresh = await context.db.transaction().execute(async (trx) => {
    await insertSession(trx, {
      id: sessionId,
      user_id: user.id,
      created_at: now,
      last_used_at: now,
      expires_at: expiresAt,
      revoked_at: null,
      revoked_reason: null,
      user_agent: client.userAgent?.slice(0, 512) ?? null,
      ip: client.ip,
      amr: proof.methods.join(' '),
      auth_time: proof.authenticatedAt,
    })
    await touchLastLogin(trx, user.id, now)
    await recordAuditEvent(trx, now, client, {
      action: 'login.success',
      actorUserId: user.id,
      targetUserId: user.id,
      sessionId,
      details: { amr: proof.methods },
    })
    return insertNewRefreshToken(trx, context, sessionId, expiresAt, null, now)
  })
  const access = await signAccessToken(
    context.keys,
    context.config,
    {
      userId: user.id,
      username: user.username,
      role: user.role,
      sessionId,
      amr: proof.methods,
      authTime: proof.authenticatedAt,
    },
    now,
  )
  return { access, refreshToken: refresh.token, sessionId }
}
