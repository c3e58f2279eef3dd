import type { Clock } from '../../src/services/clock.ts'

/** A clock that only moves when a test moves it. */
export class ManualClock implements Clock {
  constructor(private current = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.current
  }

  /** Moves time forward by `milliseconds`. */
  advance(milliseconds: number): void {
    this.current += milliseconds
  }

  /** Moves time forward by `seconds`. */
  advanceSeconds(seconds: number): void {
    this.advance(seconds * 1000)
  }
}
