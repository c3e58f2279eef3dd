import type { Kysely } from 'kysely'
import { createIndex, createTable, optional, primaryKey, required } from './tables.ts'

// Frozen: never change what a shipped migration runs; add a new one instead (test/db/migration-sql.test.ts
// compares every statement with its snapshot).

export async function up(db: Kysely<any>): Promise<void> {
  // No foreign keys on purpose: deleting a user must never delete the record of what they did.
  await createTable(db, 'audit_events', [
    primaryKey(),
    required('bigint', 'at'),
    optional('text', 'actor_user_id', 'target_user_id'),
    required('text', 'action', 'outcome'),
    optional('text', 'ip', 'user_agent', 'request_id', 'session_id', 'details'),
  ])
  await createIndex(db, 'audit_events_at_idx', 'audit_events', ['at', 'id'])
  await createIndex(db, 'audit_events_action_idx', 'audit_events', ['action', 'at'])
  await createIndex(db, 'audit_events_actor_idx', 'audit_events', ['actor_user_id', 'at'])
  await createIndex(db, 'audit_events_target_idx', 'audit_events', ['target_user_id', 'at'])
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_events').execute()
}
