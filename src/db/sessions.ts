import type { CompiledQuery, Insertable, Selectable } from 'kysely'
import { deleteRowsEndedBefore, updateRows, type RowFilter, type RowMatch } from './rows.ts'
import type { Executor, SessionsTable } from './schema.ts'

/** A stored session row. */
export type SessionRow = Selectable<SessionsTable>

/** What an authenticated request needs, loaded in one query: the session and its user. */
export interface SessionWithUser {
  session_id: string
  session_user_id: string
  session_expires_at: number
  session_revoked_at: number | null
  session_last_used_at: number
  /** The token's signing key as stored now (null kid: no such key in the database). */
  key_kid: string | null
  key_published_until: number | null
  user_id: string
  username: string
  role: string
  created_at: number
  updated_at: number
  disabled_at: number | null
}

/** Inserts a session. */
export async function insertSession(db: Executor, session: Insertable<SessionsTable>): Promise<void> {
  await db.insertInto('sessions').values(session).execute()
}

// Stand-ins compiled into the query once, then swapped for the real values on every call.
const SESSION_ID_SLOT = '\u0000session-id'
const KID_SLOT = '\u0000kid'
// Compiled once per dialect (adapter): building and compiling the same Kysely query on every request was a
// few percent of the token check. With the SQLite statement cache, the same SQL text is prepared once too.
const compiledSessionQueries = new WeakMap<object, CompiledQuery<SessionWithUser>>()

function sessionWithUserQuery(db: Executor, sessionId: string, kid: string) {
  return (
    db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      // The signing key rides along in the same query, so retiring a key bites on every instance at once.
      .leftJoin('signing_keys', (join) => join.on('signing_keys.kid', '=', kid))
      .select([
        'sessions.id as session_id',
        'sessions.user_id as session_user_id',
        'sessions.expires_at as session_expires_at',
        'sessions.revoked_at as session_revoked_at',
        'sessions.last_used_at as session_last_used_at',
        'signing_keys.kid as key_kid',
        'signing_keys.published_until as key_published_until',
        'users.id as user_id',
        'users.username as username',
        'users.role as role',
        'users.created_at as created_at',
        'users.updated_at as updated_at',
        'users.disabled_at as disabled_at',
      ])
      .where('sessions.id', '=', sessionId)
  )
}

/**
 * Loads a session joined to its user (and the token's signing key) in a single round trip, for the
 * per-request check. Never cached: it runs on every authenticated request.
 */
export async function findSessionWithUser(
  db: Executor,
  sessionId: string,
  kid = '',
): Promise<SessionWithUser | undefined> {
  const adapter = db.getExecutor().adapter
  let compiled = compiledSessionQueries.get(adapter)
  if (!compiled) {
    compiled = sessionWithUserQuery(db, SESSION_ID_SLOT, KID_SLOT).compile()
    compiledSessionQueries.set(adapter, compiled)
  }
  const parameters = compiled.parameters.map((value) =>
    value === SESSION_ID_SLOT ? sessionId : value === KID_SLOT ? kid : value,
  )
  const { rows } = await db.executeQuery<SessionWithUser>({ ...compiled, parameters })
  return rows[0]
}

/**
 * Moves last_used_at forward only when it is older than `staleBefore`, so the hot path writes
 * at most once a minute per session and parallel requests do not all write.
 */
export async function touchSession(
  db: Executor,
  sessionId: string,
  now: number,
  staleBefore: number,
): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ last_used_at: now })
    .where('id', '=', sessionId)
    .where('last_used_at', '<', staleBefore)
    .execute()
}

/**
 * Revokes one session if it is still live; idempotent. With `ownerUserId`, only that user's live session
 * is touched, so nobody can end another user's session by naming its id.
 */
export async function revokeSession(
  db: Executor,
  sessionId: string,
  now: number,
  reason: string,
  ownerUserId?: string,
): Promise<boolean> {
  const ownedUnexpired: Array<RowFilter<'sessions'>> =
    ownerUserId === undefined
      ? []
      : [(eb) => eb('user_id', '=', ownerUserId), (eb) => eb('expires_at', '>', now)]
  return (await revokeLiveSessions(db, { id: sessionId }, now, reason, ownedUnexpired)) > 0
}

/** Revokes every live session of a user, optionally sparing one. */
export async function revokeUserSessions(
  db: Executor,
  userId: string,
  now: number,
  reason: string,
  exceptSessionId?: string,
): Promise<number> {
  const sparing: Array<RowFilter<'sessions'>> =
    exceptSessionId === undefined ? [] : [(eb) => eb('id', '!=', exceptSessionId)]
  return revokeLiveSessions(db, { user_id: userId }, now, reason, sparing)
}

// Revokes the sessions `match` and `filters` select that are not revoked yet; returns how many.
async function revokeLiveSessions(
  db: Executor,
  match: RowMatch<'sessions'>,
  now: number,
  reason: string,
  filters: Array<RowFilter<'sessions'>>,
): Promise<number> {
  const live = { ...match, revoked_at: null }
  return updateRows(db, 'sessions', live, { revoked_at: now, revoked_reason: reason }, ...filters)
}

/** Deletes sessions that expired before `before`; they can never be used again. */
export async function purgeExpiredSessions(db: Executor, before: number): Promise<number> {
  return deleteRowsEndedBefore(db, 'sessions', ['expires_at'], before)
}

/** A user's sessions that are neither revoked nor expired, newest first. */
export async function listLiveSessions(db: Executor, userId: string, now: number): Promise<SessionRow[]> {
  return db
    .selectFrom('sessions')
    .selectAll()
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute()
}

/** Counts a user's live sessions, for the admin view. */
export async function countLiveSessions(db: Executor, userId: string, now: number): Promise<number> {
  const row = await db
    .selectFrom('sessions')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirstOrThrow()
  return Number(row.count)
}
