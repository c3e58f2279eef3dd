import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import type { TestDatabase } from './databases.ts'
import type { UsersTable } from '../../src/db/schema.ts'
import { usernameSkeleton } from '../../src/services/usernames.ts'

// Direct reads and writes of stored rows: for proving what a request changed, and for setting up states
// the API cannot reach (a seed-import hash, an account disabled behind the server's back).

/** The query builder of a test database or a test app. */
export type TestDb = TestDatabase['handle']['db']

/** Every user row and session row, to prove a refused request changed nothing. */
export async function snapshotStore(app: FastifyInstance): Promise<unknown> {
  const { db } = app.services
  const users = await db.selectFrom('users').selectAll().orderBy('id').execute()
  const sessions = await db.selectFrom('sessions').selectAll().orderBy('id').execute()
  return { users, sessions }
}

/** The stored row of a user, looked up by id. */
export function findUserRow(app: FastifyInstance, id: string) {
  return app.services.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

/** The ids of the users whose `column` holds `value`, in id order. */
export async function userIdsWhere(
  app: FastifyInstance,
  column: 'role' | 'username_canonical',
  value: string,
): Promise<string[]> {
  const rows = await app.services.db
    .selectFrom('users')
    .select('id')
    .where(column, '=', value)
    .orderBy('id')
    .execute()
  return rows.map((row) => row.id)
}

/** A user row as an import or an older version would have written it. */
export interface UserRowInput {
  id: string
  username: string
  /** Defaults to `username`: callers pass the key they need the row to have. */
  usernameCanonical?: string
  passwordHash: string
  /** Milliseconds since the epoch, for created_at and updated_at. */
  now: number
}

/** Inserts a user row directly, without the API and its checks. */
export async function insertUserRow(db: TestDb, user: UserRowInput): Promise<void> {
  await db
    .insertInto('users')
    .values({
      id: user.id,
      username: user.username,
      username_canonical: user.usernameCanonical ?? user.username,
      username_skeleton: usernameSkeleton(user.usernameCanonical ?? user.username),
      password_hash: user.passwordHash,
      role: 'user',
      created_at: user.now,
      updated_at: user.now,
      disabled_at: null,
      last_login_at: null,
    })
    .execute()
}

/**
 * Inserts a user row with the columns users had before username_skeleton existed, for a test that stops
 * the migrations there and then checks what the later ones make of existing rows.
 */
export async function insertUserRowWithoutSkeleton(
  db: TestDb,
  user: { id: string; username: string; usernameCanonical: string },
): Promise<void> {
  const now = Date.now()
  await (db as unknown as Kysely<{ users: Omit<UsersTable, 'username_skeleton'> }>)
    .insertInto('users')
    .values({
      id: user.id,
      username: user.username,
      username_canonical: user.usernameCanonical,
      password_hash: 'x',
      role: 'user',
      created_at: now,
      updated_at: now,
      disabled_at: null,
      last_login_at: null,
    })
    .execute()
}

/** Disables a user (at the given time) or enables them again (null) directly in the database. */
export async function setUserDisabledAt(app: FastifyInstance, id: string, at: number | null): Promise<void> {
  await app.services.db.updateTable('users').set({ disabled_at: at }).where('id', '=', id).execute()
}

/** Sets a user's role directly in the database. */
export async function setUserRole(app: FastifyInstance, id: string, role: string): Promise<void> {
  await app.services.db.updateTable('users').set({ role }).where('id', '=', id).execute()
}

/** The audit events recorded with any of `actions`, each read as its action only. */
export function auditEventsOf(app: FastifyInstance, ...actions: string[]) {
  return app.services.db.selectFrom('audit_events').select('action').where('action', 'in', actions).execute()
}

/** The queued emails of one kind (sent or not), by id. */
export function outboxMessagesOf(app: FastifyInstance, kind: string) {
  return app.services.db.selectFrom('email_outbox').select('id').where('kind', '=', kind).execute()
}

/** The recovery codes spent so far, of every account. */
export function usedRecoveryCodes(app: FastifyInstance) {
  return app.services.db.selectFrom('recovery_codes').where('used_at', 'is not', null).selectAll().execute()
}

/** How many session rows there are, live or ended. */
export async function sessionCount(app: FastifyInstance): Promise<number> {
  const row = await app.services.db
    .selectFrom('sessions')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .executeTakeFirstOrThrow()
  // PostgreSQL returns count(*) as a bigint string.
  return Number(row.count)
}
