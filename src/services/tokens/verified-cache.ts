import type { AccessTokenClaims } from './claims.ts'

/** A token whose signature and claims were verified once: what verifying it again would give. */
export interface VerifiedToken {
  claims: AccessTokenClaims
  kid: string
}

/** Entries kept at most; 10,000 tokens of under 1 KiB each stay around 15 MB. */
export const VERIFIED_TOKEN_CACHE_SIZE = 10_000
// Every this many insertions, entries whose token has expired are swept out, so none outlives its exp.
const SWEEP_EVERY = 1024

/**
 * Exact token string → the claims its signature check gave. Only the signature check is cached: the
 * session, user and key query still runs on every request, the caller re-checks `exp` (and the other
 * time-bound claims) on every hit, and an entry is used only while its key still verifies. Map insertion
 * order is the recency order: a hit moves the entry to the end, and the oldest entry goes first.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, VerifiedToken>()
  private insertions = 0

  constructor(private readonly maxEntries = VERIFIED_TOKEN_CACHE_SIZE) {}

  /** The cached result for exactly this token string, marked as recently used. */
  get(token: string): VerifiedToken | undefined {
    const entry = this.entries.get(token)
    if (entry) {
      this.entries.delete(token)
      this.entries.set(token, entry)
    }
    return entry
  }

  /** Remembers a verified token; `nowSeconds` lets the periodic sweep drop expired entries. */
  set(token: string, entry: VerifiedToken, nowSeconds: number): void {
    this.entries.delete(token)
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value
      if (oldest === undefined) break
      this.entries.delete(oldest)
    }
    this.entries.set(token, entry)
    this.insertions += 1
    if (this.insertions % SWEEP_EVERY === 0) this.sweep(nowSeconds)
  }

  /** Forgets one token (its entry failed a re-check). */
  delete(token: string): void {
    this.entries.delete(token)
  }

  /** Forgets every token signed with `kid`: called when a key is retired or unpublished. */
  evictKid(kid: string): void {
    for (const [token, entry] of this.entries) if (entry.kid === kid) this.entries.delete(token)
  }

  /** Drops entries whose `exp` has passed. */
  sweep(nowSeconds: number): void {
    for (const [token, entry] of this.entries) if (entry.claims.exp <= nowSeconds) this.entries.delete(token)
  }

  get size(): number {
    return this.entries.size
  }
}
