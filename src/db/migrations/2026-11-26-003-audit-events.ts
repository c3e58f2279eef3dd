import type { Kysely } from 'kysely'

// Frozen: never edit a migration that has shipped; add a new one instead.

export async function up(db: Kysely<any>): Promise<void> {
  // No foreign keys on purpose: deleting a user must never delete the record of what they did.
  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('at', 'bigint', (column) => column.notNull())
    .addColumn('actor_user_id', 'text')
    .addColumn('target_user_id', 'text')
    .addColumn('action', 'text', (column) => column.notNull())
    .addColumn('outcome', 'text', (column) => column.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('request_id', 'text')
    .addColumn('session_id', 'text')
    .addColumn('details', 'text')
    .execute()
  await db.schema.createIndex('audit_events_at_idx').on('audit_events').columns(['at', 'id']).execute()
  await db.schema
    .createIndex('audit_events_action_idx')
    .on('audit_events')
    .columns(['action', 'at'])
    .execute()
  await db.schema
    .createIndex('audit_events_actor_idx')
    .on('audit_events')
    .columns(['actor_user_id', 'at'])
    .execute()
  await db.schema
    .createIndex('audit_events_target_idx')
    .on('audit_events')
    .columns(['target_user_id', 'at'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_events').execute()
}
