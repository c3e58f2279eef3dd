import { AppError } from '../../errors.ts'
import type { RateLimitInfo } from './rate-limit-info.ts'

/** Too many attempts: answered with 429, `Retry-After` and the RateLimit headers. */
export class ThrottledError extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    readonly rateLimit: RateLimitInfo,
    detail = 'Too many attempts; try again later',
    /** Which counter refused: recorded in the audit log, never sent. */
    readonly scope: 'account' | 'account_ip' | 'ip' | 'device' = 'ip',
  ) {
    super(429, 'too_many_requests', detail, { 'retry-after': String(retryAfterSeconds) })
    this.name = 'ThrottledError'
  }
}

/** The counter store cannot be reached and the failure mode is `closed`: refuse rather than count nothing. */
export class ThrottleUnavailableError extends AppError {
  constructor(cause: unknown) {
    super(503, 'server_busy', 'Temporarily unavailable; try again shortly', { 'retry-after': '5' }, { cause })
    this.name = 'ThrottleUnavailableError'
  }
}

/** A counter store call failed (Redis or PostgreSQL down, timed out). */
export class CounterStoreError extends Error {
  constructor(cause: unknown) {
    super('throttle counter store unavailable', { cause })
    this.name = 'CounterStoreError'
  }
}
