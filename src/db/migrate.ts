import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely'
import * as core from './migrations/2026-11-26-001-core.ts'
import * as refreshTokens from './migrations/2026-11-26-002-refresh-tokens.ts'
import * as auditEvents from './migrations/2026-11-26-003-audit-events.ts'
import * as leases from './migrations/2026-11-26-004-leases.ts'
import * as casefoldUsernames from './migrations/2026-11-27-005-casefold-usernames.ts'
import * as oneTimeSecrets from './migrations/2026-11-30-006-one-time-secrets.ts'
import * as throttleCounters from './migrations/2026-11-30-006-throttle-counters.ts'
import * as usernameSkeletons from './migrations/2026-12-01-020-username-skeletons.ts'
import * as email from './migrations/2026-12-01-030-email.ts'
import * as emailOutbox from './migrations/2026-12-01-031-outbox.ts'
import * as secondFactors from './migrations/2026-12-01-040-second-factors.ts'
import type { Database } from './schema.ts'

/** Every migration, in order. Imported statically so the list does not depend on the working directory. */
export const MIGRATIONS: Record<string, Migration> = {
  '2026-11-26-001-core': core,
  '2026-11-26-002-refresh-tokens': refreshTokens,
  '2026-11-26-003-audit-events': auditEvents,
  '2026-11-26-004-leases': leases,
  '2026-11-27-005-casefold-usernames': casefoldUsernames,
  '2026-11-30-006-one-time-secrets': oneTimeSecrets,
  '2026-11-30-006-throttle-counters': throttleCounters,
  '2026-12-01-020-username-skeletons': usernameSkeletons,
  '2026-12-01-030-email': email,
  '2026-12-01-031-outbox': emailOutbox,
  '2026-12-01-040-second-factors': secondFactors,
}

/**
 * Brings the schema up to date. Kysely takes a lock first (an advisory lock on PostgreSQL),
 * so several instances starting at once run each migration exactly once.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(MIGRATIONS) },
  })
  const result = await migrator.migrateToLatest()
  if (result.error instanceof Error) throw result.error
  if (result.error !== undefined) throw new Error('migration failed', { cause: result.error })
  return result
}
