/** The part of a logger the store health reporter needs (pino's shape), so services stay framework-free. */
export interface HealthLogger {
  warn(object: object, message: string): void
  info(object: object, message: string): void
}

/** Reports counter-store failures at most once per interval, and the recovery once. */
export function createStoreHealth(
  log: HealthLogger,
  context: { store: string; failureMode: 'open' | 'closed' },
  intervalMs = 60_000,
  now: () => number = () => performance.now(),
) {
  let down = false
  let lastLoggedAt = Number.NEGATIVE_INFINITY
  return {
    failed(error: unknown): void {
      // A Redis outage raises an error per command and per reconnect attempt; one line per interval is enough.
      if (!down || now() - lastLoggedAt >= intervalMs) {
        const reason = error instanceof Error ? error.message : String(error)
        log.warn({ ...context, reason }, 'throttle counter store unavailable')
        lastLoggedAt = now()
      }
      down = true
    },
    succeeded(): void {
      if (!down) return
      down = false
      log.info(context, 'throttle counter store recovered')
    },
  }
}
