import type { Clock } from '../clock.ts'
import type { Counter, CounterStore } from './counters.ts'
import { clientKey } from './client-key.ts'
import { CounterStoreError, ThrottledError, ThrottleUnavailableError } from './errors.ts'
import type { RateLimitInfo } from './rate-limit-info.ts'

/** A per-key quota over fixed windows of the injected clock. */
export interface WindowLimitPolicy {
  name: string
  limit: number
  windowSeconds: number
  /** closed: refuse with 503 while the store is down; open: let requests through uncounted. */
  failureMode: 'open' | 'closed'
  detail: string
}

/** Counts requests or failures per key (an IP) and refuses with 429 past the quota. */
export class WindowLimit {
  private readonly counter: Counter

  constructor(
    store: CounterStore,
    private readonly clock: Clock,
    readonly policy: WindowLimitPolicy,
  ) {
    this.counter = store.counter(policy.name, policy.windowSeconds)
  }

  /** Counts this request and throws ThrottledError once the quota is used up (/register). */
  async consume(key: string): Promise<RateLimitInfo> {
    const { windowKey, resetSeconds } = this.window(key)
    const count = await this.guard(() => this.counter.increment(windowKey))
    if (count === undefined) return this.unknown(resetSeconds)
    const info = { limit: this.policy.limit, remaining: this.policy.limit - count, resetSeconds }
    if (count > this.policy.limit)
      throw new ThrottledError(Math.max(1, Math.ceil(resetSeconds)), info, this.policy.detail)
    return info
  }

  /** Throws ThrottledError when the failures counted so far used up the quota; counts nothing. */
  async check(key: string): Promise<RateLimitInfo> {
    const { windowKey, resetSeconds } = this.window(key)
    const count = await this.guard(async () => (await this.counter.read(windowKey)) ?? 0)
    if (count === undefined) return this.unknown(resetSeconds)
    const info = { limit: this.policy.limit, remaining: this.policy.limit - count, resetSeconds }
    if (count >= this.policy.limit)
      throw new ThrottledError(Math.max(1, Math.ceil(resetSeconds)), info, this.policy.detail)
    return info
  }

  /** Counts one failure (a bad refresh token, a failed introspection). */
  async recordFailure(key: string): Promise<void> {
    await this.guard(() => this.counter.increment(this.window(key).windowKey))
  }

  private window(key: string): { windowKey: string; resetSeconds: number } {
    const windowMs = this.policy.windowSeconds * 1000
    const now = this.clock.now()
    const window = Math.floor(now / windowMs)
    // Keys here are client addresses: an IPv6 client counts by its /64 (see clientKey).
    return { windowKey: `${clientKey(key)}:${window}`, resetSeconds: ((window + 1) * windowMs - now) / 1000 }
  }

  private unknown(resetSeconds: number): RateLimitInfo {
    return { limit: this.policy.limit, remaining: this.policy.limit, resetSeconds }
  }

  private async guard<T>(operation: () => Promise<T>): Promise<T | undefined> {
    try {
      return await operation()
    } catch (error) {
      if (!(error instanceof CounterStoreError)) throw error
      if (this.policy.failureMode === 'closed') throw new ThrottleUnavailableError(error)
      return undefined
    }
  }
}
