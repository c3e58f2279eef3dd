import { AppError } from '../../errors.ts'
import type { RateLimitInfo } from './rate-limit-info.ts'

/**
 * Too many attempts: answered with 429, `Retry-After` and the RateLimit headers.
 * Not an AppError: its `too_many_requests` code is not yet part of errors.ts's closed union.
 */
export class ThrottledError extends Error {
  readonly statusCode = 429
  readonly code = 'too_many_requests'

  constructor(
    readonly retryAfterSeconds: number,
    readonly rateLimit: RateLimitInfo,
    readonly detail = 'Too many attempts; try again later',
  ) {
    super(detail)
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
