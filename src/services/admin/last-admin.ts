import { AppError } from '../../errors.ts'
import { selectEnabledAdminIds, type UserRow } from '../../db/users.ts'
import type { Transaction } from 'kysely'
import type { Database } from '../../db/schema.ts'
import type { ServiceContext } from '../context.ts'

/** True when the change would leave `user` no longer an enabled admin. */
export function removesAdmin(
  user: Pick<UserRow, 'role' | 'disabled_at'>,
  change: { role?: string; disabled?: boolean; deleted?: boolean },
): boolean {
  if (user.role !== 'admin' || user.disabled_at !== null) return false
  return (
    change.deleted === true ||
    change.disabled === true ||
    (change.role !== undefined && change.role !== 'admin')
  )
}

/**
 * Starts every admin mutation, inside its transaction: reads (and on PostgreSQL locks) the enabled
 * admins, and refuses an actor who is no longer among them, so a request authorized a moment before a
 * concurrent demotion committed cannot act on stale rights.
 *
 * Why a lock rather than a conditional update: on PostgreSQL, READ COMMITTED lets two transactions each
 * see the other admin still enabled and both demote. SELECT … FOR UPDATE on the admin rows makes the
 * second wait for the first and then re-read, so it sees one admin left and gets 409. SQLite needs no
 * lock: better-sqlite3 is one connection and Kysely runs its transactions one after another.
 */
export async function lockAdmins(
  context: ServiceContext,
  trx: Transaction<Database>,
  actorUserId: string,
): Promise<string[]> {
  const admins = await selectEnabledAdminIds(trx, context.dialect === 'postgres')
  if (!admins.includes(actorUserId)) throw new AppError(403, 'forbidden', 'Forbidden')
  return admins
}

/** Refuses a change that would remove the last enabled admin: 409 last_admin. */
export function assertAdminRemains(
  admins: readonly string[],
  user: Pick<UserRow, 'id' | 'role' | 'disabled_at'>,
  change: { role?: string; disabled?: boolean; deleted?: boolean },
): void {
  if (removesAdmin(user, change) && admins.filter((id) => id !== user.id).length === 0) {
    throw new AppError(
      409,
      'last_admin',
      'This is the last enabled admin; make another user admin before demoting, disabling or deleting it',
    )
  }
}
