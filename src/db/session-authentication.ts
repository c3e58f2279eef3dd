import type { Executor } from './schema.ts'

/** What a session's login proved and when (RFC 8176 `amr`, OIDC `auth_time`). */
export interface SessionAuthentication {
  amr: string[]
  /** Epoch milliseconds. */
  authTime: number
}

/** The authentication a session was opened with; older sessions read as a password login at their start. */
export async function findSessionAuthentication(
  db: Executor,
  sessionId: string,
): Promise<SessionAuthentication | undefined> {
  const row = await db
    .selectFrom('sessions')
    .select(['amr', 'auth_time', 'created_at'])
    .where('id', '=', sessionId)
    .executeTakeFirst()
  if (!row) return undefined
  return {
    amr: row.amr === null ? ['pwd'] : row.amr.split(' '),
    authTime: Number(row.auth_time ?? row.created_at),
  }
}
