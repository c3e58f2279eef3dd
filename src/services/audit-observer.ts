import type {
  Kysely,
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely'
import type { Database, Executor } from '../db/schema.ts'

/** An audit event as it was recorded, handed to observers (security-event log, metrics). */
export interface ObservedAuditEvent {
  action: string
  outcome: string
  actorUserId: string | null
  targetUserId: string | null
  sessionId: string | null
  requestId: string | null
  ip: string | null
  /** The details as stored: secret-looking names already dropped. */
  details: Record<string, unknown>
}

/** Called after each audit row is written, inside the caller's transaction. */
export type AuditObserver = (event: ObservedAuditEvent) => void

/**
 * Carries the observer on a Kysely instance without changing any query. `recordAuditEvent` receives
 * `db | trx`, never the service context, and transactions inherit their parent's plugins: so every
 * recorded event, on every path (HTTP, CLI, jobs), finds the observer of the context that made it,
 * without threading a new argument through every caller.
 */
class AuditObserverPlugin implements KyselyPlugin {
  constructor(readonly observer: AuditObserver) {}

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result
  }
}

/** The same database, with `observer` told about every audit event recorded through it. */
export function observeAuditEvents(db: Kysely<Database>, observer: AuditObserver): Kysely<Database> {
  return db.withPlugin(new AuditObserverPlugin(observer))
}

/**
 * Tells the observer of `db` (if any) about an event. An observer's failure is logged by the observer
 * itself and must never undo the change being audited, so errors stop here.
 */
export function notifyAuditObserver(db: Executor, event: ObservedAuditEvent): void {
  for (const plugin of db.getExecutor().plugins) {
    if (!(plugin instanceof AuditObserverPlugin)) continue
    try {
      plugin.observer(event)
    } catch {
      // Observability must not break the audited action.
    }
  }
}
