import { findUserByVerifiedEmailKey } from '../../db/user-emails.ts'
import { findUserByCanonicalName } from '../../db/users.ts'
import { NO_REQUEST_META, recordAuditEvent } from '../audit.ts'
import type { ServiceContext } from '../context.ts'
import { newId } from '../random.ts'
import { knownRoles } from '../users.ts'
import { validateRow, type ImportProblemReason, type ImportSource } from './rows.ts'

/** What an import did (or, in a dry run, would do). */
export interface ImportSummary {
  imported: number
  skipped: number
  invalid: number
  problems: Array<{ ref: string; username: string | null; reason: ImportProblemReason }>
  dryRun: boolean
}

/** How to run an import. */
export interface ImportOptions {
  dryRun: boolean
  onConflict: 'skip' | 'fail'
  onProgress?: (done: number, total: number) => void
}

/** Raised by --on-conflict fail; the whole import is rolled back. */
export class ImportConflictError extends Error {
  constructor(
    readonly ref: string,
    readonly username: string,
  ) {
    super(
      `${ref}: username "${username}" already exists, or one that looks like it does; nothing was ` +
        'imported (--on-conflict fail)',
    )
    this.name = 'ImportConflictError'
  }
}

class DryRunRollback extends Error {}

/**
 * Imports users with their password hashes kept as they are: the first login verifies the old hash
 * and upgrades it to argon2id. Everything runs in one transaction with its audit record, so an import
 * lands whole or not at all; a dry run is the same transaction rolled back, so its report is exact.
 */
export async function importUsers(
  context: ServiceContext,
  source: ImportSource,
  options: ImportOptions,
): Promise<ImportSummary> {
  const summary: ImportSummary = { imported: 0, skipped: 0, invalid: 0, problems: [], dryRun: options.dryRun }
  const roles = knownRoles(context.config)
  const now = context.clock.now()
  try {
    await context.db.transaction().execute(async (trx) => {
      let done = 0
      for await (const raw of source.rows()) {
        done += 1
        options.onProgress?.(done, source.total)
        const checked = validateRow(raw, roles)
        if (!checked.ok) {
          summary.invalid += 1
          const username = typeof raw.username === 'string' ? raw.username.slice(0, 64) : null
          summary.problems.push({ ref: raw.ref, username, reason: checked.reason })
          continue
        }
        const { row } = checked
        // ON CONFLICT DO NOTHING instead of read-then-insert: a name registered a moment ago is a clean
        // skip, not a unique violation that would abort the PostgreSQL transaction. No conflict target,
        // so a clash on the canonical name and one on the confusable skeleton are both skips.
        const inserted = await trx
          .insertInto('users')
          .values({
            id: newId(),
            username: row.username,
            username_canonical: row.canonical,
            username_skeleton: row.skeleton,
            password_hash: row.passwordHash,
            role: row.role,
            created_at: now,
            updated_at: now,
            disabled_at: null,
            last_login_at: null,
            // Kept as the source had them: a verified address logs in and resets at once.
            email: row.email?.address ?? null,
            email_key: row.email?.key ?? null,
            email_verified: row.emailVerified ? 1 : 0,
            email_verified_at: row.emailVerified ? now : null,
          })
          .onConflict((conflict) => conflict.doNothing())
          .returning('id')
          .executeTakeFirst()
        if (inserted) {
          summary.imported += 1
          continue
        }
        if (options.onConflict === 'fail') throw new ImportConflictError(row.ref, row.username)
        summary.skipped += 1
        const sameName = await findUserByCanonicalName(trx, row.canonical)
        const sameEmail =
          row.email && row.emailVerified ? await findUserByVerifiedEmailKey(trx, row.email.key) : undefined
        summary.problems.push({
          ref: row.ref,
          username: row.username,
          reason: sameName ? 'username_exists' : sameEmail ? 'email_exists' : 'username_lookalike',
        })
      }
      await recordAuditEvent(trx, now, NO_REQUEST_META, {
        action: 'users.import',
        details: {
          source: source.kind,
          file: source.name,
          imported: summary.imported,
          skipped: summary.skipped,
          invalid: summary.invalid,
        },
      })
      if (options.dryRun) throw new DryRunRollback()
    })
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error
  }
  return summary
}
