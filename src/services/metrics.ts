import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { ObservedAuditEvent } from './audit-observer.ts'
import { securityEventNames } from './security-events.ts'

/** Login outcomes counted by gatehouse_logins_total; usernames never become labels. */
export const LOGIN_OUTCOMES = [
  'success',
  'invalid_credentials',
  'throttled',
  'disabled',
  'mfa_required',
] as const

// Values read when Prometheus scrapes, so a scrape sees the state at that moment. A gauge exists only
// once its source is given (`metrics.sample`), so a deployment without Redis or a pool shows no series
// for them rather than a 0 that would read as "down".
const SAMPLED = {
  active_sessions: 'Live sessions (sampled at scrape)',
  password_hash_queue_depth: 'Password hashes waiting for a slot',
  password_hash_running: 'Password hashes running',
  signing_key_age_seconds: 'Age of the key that signs new tokens',
  database_pool_connections: 'PostgreSQL pool connections open',
  database_pool_idle: 'PostgreSQL pool connections idle',
  database_pool_waiting: 'Queries waiting for a PostgreSQL connection',
  redis_up: 'Redis connection ready (1) or not (0)',
  email_outbox_depth: 'Emails waiting in the outbox',
} as const

/** A gauge read at scrape time; its name is `gatehouse_<name>`. */
export type SampledMetric = keyof typeof SAMPLED

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** Builds every Gatehouse metric on a registry of its own, so two apps in one process never mix counts. */
export function createMetrics(options: { processMetrics: boolean }) {
  const registry = new Registry()
  const registers = [registry]
  if (options.processMetrics) collectDefaultMetrics({ register: registry })

  const counter = <Label extends string>(name: string, help: string, labelNames: readonly Label[] = []) =>
    new Counter<Label>({ name, help, labelNames, registers })
  const metrics = {
    registry,
    httpRequests: counter(
      'gatehouse_http_requests_total',
      'HTTP requests by route template, method and status class',
      ['route', 'method', 'status_class'],
    ),
    httpDuration: new Histogram({
      name: 'gatehouse_http_request_duration_seconds',
      help: 'HTTP request latency by route template, method and status class',
      labelNames: ['route', 'method', 'status_class'],
      buckets: SECONDS_BUCKETS,
      registers,
    }),
    logins: counter('gatehouse_logins_total', 'Password logins by outcome', ['outcome']),
    refreshes: counter('gatehouse_token_refreshes_total', 'Refresh tokens exchanged'),
    refreshReuse: counter(
      'gatehouse_refresh_reuse_detected_total',
      'Rotated refresh tokens presented again (the session is revoked)',
    ),
    sessionRevocations: counter(
      'gatehouse_session_revocations_total',
      'Sessions ended before expiry, by how',
      ['via'],
    ),
    securityEvents: counter('gatehouse_security_events_total', 'Security events by stable name', ['event']),
    tokenVerifications: counter('gatehouse_token_verifications_total', 'Access-token checks by result', [
      'result',
    ]),
    keyRotations: counter('gatehouse_key_rotations_total', 'Signing-key rotations by trigger', ['trigger']),
    hashWait: new Histogram({
      name: 'gatehouse_password_hash_wait_seconds',
      help: 'Time a password hash or verification waited for a free slot',
      buckets: SECONDS_BUCKETS,
      registers,
    }),
    hashDuration: new Histogram({
      name: 'gatehouse_password_hash_duration_seconds',
      help: 'Time a password hash or verification ran',
      buckets: SECONDS_BUCKETS,
      registers,
    }),
    databaseErrors: counter(
      'gatehouse_database_errors_total',
      'Database connection errors and unavailable answers',
    ),
    /** Each failed send attempt of the email outbox (services/email/sender.ts). */
    emailSendFailures: counter('gatehouse_email_send_failures_total', 'Email send attempts that failed'),
  }
  for (const outcome of LOGIN_OUTCOMES) metrics.logins.inc({ outcome }, 0)
  metrics.refreshes.inc(0)
  metrics.refreshReuse.inc(0)

  return {
    ...metrics,
    /** Registers the gauge `gatehouse_<name>`, read from `read` at each scrape (undefined leaves it empty). */
    sample(name: SampledMetric, read: () => Promise<number | undefined> | number | undefined): void {
      new Gauge({
        name: `gatehouse_${name}`,
        help: SAMPLED[name],
        registers,
        async collect() {
          // A source that cannot be read now (the database is down) leaves the series out of this scrape
          // rather than failing the whole scrape; gatehouse_database_errors_total says why.
          const value = await Promise.resolve()
            .then(read)
            .catch(() => undefined)
          if (value === undefined) this.reset()
          else this.set(value)
        },
      })
    },
    /** Counts what an audit event stands for: logins, refreshes, reuse, revocations, rotations. */
    observeAuditEvent(event: ObservedAuditEvent): void {
      for (const { name } of securityEventNames(event)) metrics.securityEvents.inc({ event: name })
      const outcome = loginOutcome(event)
      if (outcome) metrics.logins.inc({ outcome })
      if (event.action === 'token.refresh') metrics.refreshes.inc()
      if (event.action === 'token.refresh_reuse') metrics.refreshReuse.inc()
      const via = REVOCATIONS[event.action]
      if (via) metrics.sessionRevocations.inc({ via })
      if (event.action === 'key.rotate')
        metrics.keyRotations.inc({
          trigger: typeof event.details.trigger === 'string' ? event.details.trigger : 'unknown',
        })
    },
  }
}

/** The metrics of one service context. */
export type Metrics = ReturnType<typeof createMetrics>

const REVOCATIONS: Record<string, string> = {
  'session.logout': 'logout',
  'session.revoke': 'revoke',
  'admin.sessions.revoke': 'admin',
  'token.refresh_reuse': 'reuse',
}

function loginOutcome(event: ObservedAuditEvent): (typeof LOGIN_OUTCOMES)[number] | undefined {
  switch (event.action) {
    case 'login.success':
      return 'success'
    case 'login.throttled':
      return 'throttled'
    case 'login.failure':
      return event.details.reason === 'disabled' ? 'disabled' : 'invalid_credentials'
    default:
      return undefined
  }
}

/** The Prometheus text exposition of a context's metrics, and its content type. */
export async function renderMetrics(context: {
  metrics: Metrics
}): Promise<{ contentType: string; body: string }> {
  return { contentType: context.metrics.registry.contentType, body: await context.metrics.registry.metrics() }
}
