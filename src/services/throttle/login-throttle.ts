import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Clock } from '../clock.ts'
import type { Counter, CounterStore } from './counters.ts'
import { clientKey } from './client-key.ts'
import { CounterStoreError, ThrottledError, ThrottleUnavailableError } from './errors.ts'
import type { RateLimitInfo } from './rate-limit-info.ts'

/** The numbers of the login throttling policy (README "Security model"). */
export interface LoginThrottlePolicy {
  /** Failures per account, and per (account, IP), before backoff starts. */
  maxFailures: number
  /** Failures per IP, over all accounts, before backoff starts. */
  ipMaxFailures: number
  /** Failures are counted in fixed windows of this length. */
  windowSeconds: number
  /** The backoff doubles from 1 s up to this cap. */
  maxBackoffSeconds: number
  /** What to do when the counter store cannot be reached. */
  failureMode: 'open' | 'closed'
}

/** Which counter an attempt is counted on: see `scopes()`. */
export type ScopeName = 'account' | 'account_ip' | 'ip' | 'device'

interface Scope {
  name: ScopeName
  key: string
  threshold: number
}

interface Block {
  untilMs: number
  /** The backoff had reached its cap: see the account exemption in begin(). */
  capped: boolean
}

interface CountedScope {
  scope: Scope
  windowKey: string
  count: number
}

/** One admitted login attempt; hand it back with the outcome. */
export interface LoginTicket {
  readonly counted: readonly CountedScope[]
  readonly permits: readonly string[]
  readonly rateLimit: RateLimitInfo
}

// How long an attempt waits for the attempts ahead of it (a real wait, not a policy time).
const IN_FLIGHT_ROUNDS = 40
const IN_FLIGHT_WAIT_MS = 50

/** Another attempt holds the one check this block period admits; its outcome decides ours. */
class InFlight extends Error {
  constructor(readonly throttled: ThrottledError) {
    super('an earlier attempt is being checked')
  }
}

/** Seconds to wait after the `count`-th failure in a window: 1 s at the threshold, doubling, capped. */
export function backoffSeconds(count: number, threshold: number, capSeconds: number): number {
  if (count < threshold) return 0
  return Math.min(2 ** (count - threshold), capSeconds)
}

// Blocks are stored as one integer (PostgreSQL's counter column is a 32-bit integer): seconds since
// 2024 times two, plus one when capped. That lasts until 2058.
const EPOCH_SECONDS = Date.UTC(2024, 0, 1) / 1000

function encodeBlock(block: Block): number {
  return (Math.ceil(block.untilMs / 1000) - EPOCH_SECONDS) * 2 + (block.capped ? 1 : 0)
}

function decodeBlock(value: number | undefined): Block | undefined {
  if (value === undefined) return undefined
  return { untilMs: (Math.floor(value / 2) + EPOCH_SECONDS) * 1000, capped: value % 2 === 1 }
}

// Usernames of any length (the /token form allows 256 characters) become fixed-size keys, and the
// counter store never holds a username in the clear.
function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 32)
}

/**
 * Brute-force throttling shared by /login and the /token password grant. Counters are taken before
 * the password is checked, so a parallel burst cannot outrun them; time comes from the injected clock.
 */
export class LoginThrottle {
  private readonly counts: Counter
  private readonly blocks: Counter
  private readonly permits: Counter
  /** When the account's current run of blocks began; kept alive by each blocked failure. */
  private readonly blockedSince: Counter

  constructor(
    store: CounterStore,
    private readonly clock: Clock,
    readonly policy: LoginThrottlePolicy,
  ) {
    // Real-time lifetimes only collect garbage; every decision compares injected-clock timestamps.
    const retention = policy.windowSeconds + policy.maxBackoffSeconds
    this.counts = store.counter('login-failures', policy.windowSeconds)
    this.blocks = store.counter('login-blocks', retention)
    this.permits = store.counter('login-permits', retention)
    this.blockedSince = store.counter('login-blocked-since', retention)
  }

  /**
   * Admits an attempt or throws ThrottledError (429). The decision depends only on the name as typed
   * (canonicalized), the IP and, for a trusted device, the device's id, never on whether the account
   * exists. `deviceId` is the id of a device token already verified for this account (see
   * login/device-tokens.ts); such an attempt is counted on that device instead of the account.
   */
  async begin(canonicalName: string, ip: string, deviceId?: string): Promise<LoginTicket> {
    try {
      return await this.admit(this.scopes(canonicalName, ip, deviceId))
    } catch (error) {
      if (!(error instanceof CounterStoreError)) throw error
      if (this.policy.failureMode === 'closed') throw new ThrottleUnavailableError(error)
      const { maxFailures, windowSeconds } = this.policy
      return {
        counted: [],
        permits: [],
        rateLimit: { limit: maxFailures, remaining: maxFailures, resetSeconds: windowSeconds },
      }
    }
  }

  /** Records a wrong password (or unknown or disabled account): starts or extends the backoff. */
  async failure(ticket: LoginTicket): Promise<void> {
    const now = this.clock.now()
    const cap = this.policy.maxBackoffSeconds
    const blocking = ticket.counted.filter(({ scope, count }) => count >= scope.threshold)
    await this.quietly(
      blocking.map(({ scope, count }) => {
        const seconds = backoffSeconds(count, scope.threshold, cap)
        return this.blocks.write(
          scope.key,
          encodeBlock({ untilMs: now + seconds * 1000, capped: seconds >= cap }),
        )
      }),
    )
    const account = blocking.find(({ scope }) => scope.name === 'account')
    if (account) await this.quietly([this.extendBlockedRun(account.scope.key, now)])
  }

  // Rewriting the start time keeps the record alive (each write renews its lifetime) for as long as the
  // attack goes on, so the run of blocks is measured across counting windows.
  private async extendBlockedRun(accountKey: string, now: number): Promise<void> {
    const since = await this.blockedSince.read(accountKey)
    await this.blockedSince.write(accountKey, since ?? Math.floor(now / 1000) - EPOCH_SECONDS)
  }

  /** A correct password: the account's counters start over; the IP's keeps its other failures. */
  async success(ticket: LoginTicket): Promise<void> {
    await this.quietly(
      ticket.counted.flatMap(({ scope, windowKey }) =>
        scope.name === 'ip'
          ? [this.counts.decrement(windowKey)]
          : [this.counts.remove(windowKey), this.blocks.remove(scope.key)],
      ),
    )
  }

  /** The attempt ended without a verdict on the password (server busy, database down): give it back. */
  async release(ticket: LoginTicket): Promise<void> {
    await this.quietly([
      ...ticket.counted.map(({ windowKey }) => this.counts.decrement(windowKey)),
      ...ticket.permits.map((key) => this.permits.decrement(key)),
    ])
  }

  /**
   * The counters an attempt answers to. Untrusted clients: the account, the (account, IP) pair and the
   * IP. A trusted device (OWASP device cookies): the device itself and the IP, so the account-wide
   * block that strangers can raise never stands between the real user and their own device, while a
   * stolen device token still meets a backoff of its own.
   */
  private scopes(canonicalName: string, ip: string, deviceId?: string): [Scope, ...Scope[]] {
    const { maxFailures, ipMaxFailures } = this.policy
    const client = clientKey(ip)
    const ipScope: Scope = { name: 'ip', key: `i:${client}`, threshold: ipMaxFailures }
    if (deviceId !== undefined) {
      return [
        { name: 'device', key: `d:${digest(`${canonicalName}\u0000${deviceId}`)}`, threshold: maxFailures },
        ipScope,
      ]
    }
    return [
      { name: 'account', key: `a:${digest(canonicalName)}`, threshold: maxFailures },
      { name: 'account_ip', key: `ai:${digest(`${canonicalName}\u0000${client}`)}`, threshold: maxFailures },
      ipScope,
    ]
  }

  private async admit(scopes: [Scope, ...Scope[]]): Promise<LoginTicket> {
    // Attempts past the threshold while earlier ones are still being checked wait for their outcome:
    // twenty parallel logins with the right password all succeed (each success resets the count),
    // while twenty wrong ones meet the block the first failures set.
    for (let round = 1; ; round += 1) {
      try {
        return await this.admitOnce(scopes)
      } catch (error) {
        if (!(error instanceof InFlight)) throw error
        if (round >= IN_FLIGHT_ROUNDS) throw error.throttled
        await sleep(IN_FLIGHT_WAIT_MS)
      }
    }
  }

  private async admitOnce(scopes: [Scope, ...Scope[]]): Promise<LoginTicket> {
    const now = this.clock.now()
    const account = scopes.find((scope) => scope.name === 'account')
    const [blocks, since] = await Promise.all([
      Promise.all(scopes.map(async (scope) => decodeBlock(await this.blocks.read(scope.key)))),
      account === undefined ? undefined : this.blockedSince.read(account.key),
    ])
    // An account-wide block that lasted as long as the backoff cap (or reached the cap) would otherwise
    // be a lockout an attacker could renew forever: counting windows restart the count, so the cap alone
    // may never be reached. From then on each IP answers for itself through its (account, IP) counter,
    // so the real user on a fresh IP can log in while the attacking IPs stay blocked.
    const blockedForMs = since === undefined ? 0 : now - (since + EPOCH_SECONDS) * 1000
    const accountExempt = blockedForMs >= this.policy.maxBackoffSeconds * 1000
    const exempt = (index: number) =>
      scopes[index]?.name === 'account' && (blocks[index]?.capped === true || accountExempt)

    let waitMs = 0
    let blocking = scopes[0]
    scopes.forEach((scope, index) => {
      const block = blocks[index]
      if (!block || exempt(index) || block.untilMs - now <= waitMs) return
      waitMs = block.untilMs - now
      blocking = scope
    })
    // Refused before counting: waiting out a block never makes the next one longer.
    if (waitMs > 0) throw this.throttled(waitMs, blocking)

    const windowMs = this.policy.windowSeconds * 1000
    const window = Math.floor(now / windowMs)
    const counted = await Promise.all(
      scopes.map(async (scope) => {
        const windowKey = `${scope.key}:${window}`
        return { scope, windowKey, count: await this.counts.increment(windowKey) }
      }),
    )

    // Past the threshold each block period admits exactly one attempt, decided by an atomic permit
    // keyed by the block. Fifty parallel guesses thus get `threshold` checks plus at most one.
    const permits: string[] = []
    let refusedBy: CountedScope | undefined
    for (const [index, entry] of counted.entries()) {
      if (entry.count <= entry.scope.threshold || exempt(index)) continue
      const permitKey = `${entry.scope.key}:${blocks[index]?.untilMs ?? 0}`
      const holders = await this.permits.increment(permitKey)
      permits.push(permitKey)
      if (holders > 1) refusedBy = entry
    }
    if (refusedBy) {
      await this.release({ counted, permits, rateLimit: { limit: 0, remaining: 0, resetSeconds: 0 } })
      const { count, scope } = refusedBy
      throw new InFlight(
        this.throttled(backoffSeconds(count, scope.threshold, this.policy.maxBackoffSeconds) * 1000, scope),
      )
    }

    const tightest = counted.reduce((a, b) =>
      b.scope.threshold - b.count < a.scope.threshold - a.count ? b : a,
    )
    return {
      counted,
      permits,
      rateLimit: {
        limit: tightest.scope.threshold,
        remaining: tightest.scope.threshold - tightest.count,
        resetSeconds: ((window + 1) * windowMs - now) / 1000,
      },
    }
  }

  private throttled(waitMs: number, scope: Scope): ThrottledError {
    const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000))
    return new ThrottledError(
      retryAfterSeconds,
      { limit: scope.threshold, remaining: 0, resetSeconds: retryAfterSeconds },
      'Too many failed login attempts; try again later',
      scope.name,
    )
  }

  // Recording an outcome must not turn a finished login into an error; the health log reports the store.
  private async quietly(operations: Array<Promise<void>>): Promise<void> {
    await Promise.allSettled(operations)
  }
}
