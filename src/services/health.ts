import { sql } from 'kysely'
import { countPendingEmails } from '../db/stats.ts'
import type { ServiceContext } from './context.ts'

/** One component's state in the /readyz answer. */
export interface ComponentStatus {
  status: 'up' | 'down'
  /** Why a component is down, in words that name no secret or internal address. */
  detail?: string
}

/** The /readyz answer: ready only when every component that applies is up. */
export interface Readiness {
  status: 'ready' | 'not_ready'
  components: Record<string, ComponentStatus>
  /**
   * When not ready: `shutting_down` while the process drains, `database_unavailable` if the database is
   * down, else `not_ready`.
   */
  code?: 'shutting_down' | 'database_unavailable' | 'not_ready'
}

/** A readiness check: applies to some deployments (Redis, mail), and reports its component. */
export interface ComponentCheck {
  name: string
  /**
   * Whether the instance is not ready while this component is down. Mail is not: an SMTP outage must
   * not take every instance out of the load balancer; the outbox retries, and /readyz still shows it.
   */
  critical: boolean
  applies(context: ServiceContext): boolean
  check(context: ServiceContext): Promise<ComponentStatus>
}

// Each check is one entry: a feature with an outside dependency adds its own here.
const COMPONENT_CHECKS: ComponentCheck[] = [
  {
    name: 'database',
    critical: true,
    applies: () => true,
    check: async (context) => {
      try {
        await sql`select 1`.execute(context.db)
        return { status: 'up' }
      } catch (error) {
        context.metrics.databaseErrors.inc()
        context.log.warn({ err: error }, 'readiness: the database does not answer')
        return { status: 'down', detail: 'the database does not answer' }
      }
    },
  },
  {
    name: 'redis',
    critical: true,
    applies: (context) => context.config.redisUrl !== undefined,
    check: async (context) => {
      const state = context.throttles.redisStatus()
      return state === 'ready'
        ? { status: 'up' }
        : { status: 'down', detail: `connection ${state ?? 'closed'}` }
    },
  },
  {
    name: 'signing_key',
    critical: true,
    applies: () => true,
    check: async (context) => {
      try {
        context.keys.signingKey()
        return { status: 'up' }
      } catch {
        return { status: 'down', detail: 'no signing key is loaded for the configured algorithm' }
      }
    },
  },
  {
    // Judged from the outbox rather than by connecting to the SMTP server on every probe.
    name: 'mail',
    critical: false,
    applies: (context) => context.config.email.smtpUrl !== undefined,
    check: async (context) => {
      const { failing } = await countPendingEmails(context.db)
      return failing === 0
        ? { status: 'up' }
        : { status: 'down', detail: `${failing} messages failed to send 3 times or more` }
    },
  },
]

/** Readiness: every applicable component checked at once; any one down makes the instance not ready. */
export async function checkReadiness(context: ServiceContext): Promise<Readiness> {
  // Draining after SIGTERM: the balancer must stop sending new requests while these are still served.
  if (context.lifecycle.stopping) {
    return {
      status: 'not_ready',
      components: { process: { status: 'down', detail: 'stopping' } },
      code: 'shutting_down',
    }
  }
  const checks = COMPONENT_CHECKS.filter((entry) => entry.applies(context))
  const results = await Promise.all(
    checks.map((entry) =>
      entry.check(context).catch((): ComponentStatus => ({ status: 'down', detail: 'the check failed' })),
    ),
  )
  const components = Object.fromEntries(
    checks.map((entry, index) => [entry.name, results[index] as ComponentStatus]),
  )
  if (results.every((result, index) => result.status === 'up' || !checks[index]?.critical))
    return { status: 'ready', components }
  const code = components.database?.status === 'down' ? 'database_unavailable' : 'not_ready'
  return { status: 'not_ready', components, code }
}
