import { InvalidArgumentError, type Command } from 'commander'
import { once } from 'node:events'
import type { AuditEventFilter } from '../db/audit.ts'
import { iterateAuditEvents, parseInstant, toPublicAuditEvent } from '../services/audit.ts'
import { purgeAuditEventsPastRetention } from '../services/jobs/purge-expired.ts'
import { withServiceContext } from './context.ts'

function instant(value: string): string {
  // Checked again against the clock at run time; here only the shape, so typos fail before connecting.
  if (parseInstant(value, 0) === undefined) {
    throw new InvalidArgumentError(
      'must be an ISO 8601 date or date-time with a zone, or a duration such as 7d',
    )
  }
  return value
}

// The option parser already checked the shape, so only a value relative to the clock is left to read.
function requiredInstant(value: string, now: number): number {
  const parsed = parseInstant(value, now)
  if (parsed === undefined) throw new InvalidArgumentError(`invalid instant: ${value}`)
  return parsed
}

/** `gatehouse audit export|purge`. */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('read and maintain the audit log')

  audit
    .command('export')
    .description('write audit events as JSON Lines to standard output, oldest first')
    .option(
      '--since <when>',
      'ISO 8601 date or date-time (with zone), or a duration back from now: 30d, 12h',
      instant,
    )
    .option('--until <when>', 'exclusive end, in the same forms', instant)
    .option('--action <action>', 'only this action, e.g. admin.user.update')
    .option('--actor <user-id>', 'only events by this user id')
    .option('--target <user-id>', 'only events about this user id')
    .action(
      async (options: {
        since?: string
        until?: string
        action?: string
        actor?: string
        target?: string
      }) => {
        await withServiceContext(async (context) => {
          const now = context.clock.now()
          const filter: AuditEventFilter = {
            ...(options.since !== undefined ? { since: requiredInstant(options.since, now) } : {}),
            ...(options.until !== undefined ? { until: requiredInstant(options.until, now) } : {}),
            ...(options.action !== undefined ? { action: options.action } : {}),
            ...(options.actor !== undefined ? { actorUserId: options.actor } : {}),
            ...(options.target !== undefined ? { targetUserId: options.target } : {}),
          }
          for await (const row of iterateAuditEvents(context.db, filter)) {
            // Respect back-pressure, so a slow pipe or disk never makes the export buffer every row.
            if (!process.stdout.write(`${JSON.stringify(toPublicAuditEvent(row))}\n`))
              await once(process.stdout, 'drain')
          }
        })
      },
    )

  audit
    .command('purge')
    .description('delete events older than GATEHOUSE_AUDIT_RETENTION_DAYS now (the server also does this)')
    .action(async () => {
      const purged = await withServiceContext(purgeAuditEventsPastRetention)
      process.stdout.write(`Purged ${purged} audit events.\n`)
    })
}
