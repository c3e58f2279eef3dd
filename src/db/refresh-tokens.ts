import type { Insertable, Selectable } from 'kysely'
import { updateRows } from './rows.ts'
import type { Executor, RefreshTokensTable } from './schema.ts'

/** A stored refresh token (its hash, never the token). */
export type RefreshTokenRow = Selectable<RefreshTokensTable>

/** A refresh token with the session and user it belongs to, loaded in one query. */
export interface RefreshTokenWithSession extends RefreshTokenRow {
  user_id: string
  session_expires_at: number
  session_revoked_at: number | null
  username: string
  role: string
  disabled_at: number | null
  session_created_at: number
  session_amr: string | null
  session_auth_time: number | null
}

/** Inserts a refresh token. */
export async function insertRefreshToken(db: Executor, token: Insertable<RefreshTokensTable>): Promise<void> {
  await db.insertInto('refresh_tokens').values(token).execute()
}

/** Finds a refresh token by its hash, with its session and user. */
export async function findRefreshTokenByHash(
  db: Executor,
  tokenHash: string,
): Promise<RefreshTokenWithSession | undefined> {
  return db
    .selectFrom('refresh_tokens')
    .innerJoin('sessions', 'sessions.id', 'refresh_tokens.session_id')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('refresh_tokens')
    .select([
      'sessions.user_id as user_id',
      'sessions.expires_at as session_expires_at',
      'sessions.revoked_at as session_revoked_at',
      'sessions.created_at as session_created_at',
      'sessions.amr as session_amr',
      'sessions.auth_time as session_auth_time',
      'users.username as username',
      'users.role as role',
      'users.disabled_at as disabled_at',
    ])
    .where('refresh_tokens.token_hash', '=', tokenHash)
    .executeTakeFirst()
}

/**
 * Marks a token rotated, only if nobody rotated it first. This conditional update is the race guard:
 * on PostgreSQL the row lock makes parallel rotations queue, and each loser re-checks the WHERE after
 * the winner commits and matches nothing; SQLite runs one writer at a time. Exactly one caller wins.
 */
export async function markRefreshTokenRotated(
  db: Executor,
  id: string,
  now: number,
  graceResponseSealed: string | null,
): Promise<boolean> {
  const rotation = { rotated_at: now, grace_response_sealed: graceResponseSealed }
  return (await updateRows(db, 'refresh_tokens', { id, rotated_at: null }, rotation)) > 0
}

/** Finds the token that replaced `parentId`, if any. */
export async function findRefreshTokenChild(
  db: Executor,
  parentId: string,
): Promise<RefreshTokenRow | undefined> {
  return db.selectFrom('refresh_tokens').selectAll().where('parent_id', '=', parentId).executeTakeFirst()
}
