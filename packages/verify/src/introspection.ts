import { createHash } from 'node:crypto'
import type { FetchLike } from './discovery.ts'
import { VerifyError } from './errors.ts'

/**
 * How to reach Gatehouse's RFC 7662 introspection endpoint, as one of its GATEHOUSE_INTROSPECTION_CLIENTS.
 *
 * @example
 * ```ts
 * const introspect: IntrospectionOptions = { clientId: 'orders-api', clientSecret: secret, cacheTtlMs: 2000 }
 * createVerifier({ issuer, audience, introspect })
 * ```
 */
export interface IntrospectionOptions {
  /** Defaults to `${issuer}/introspect`. */
  url?: string
  clientId: string
  clientSecret: string
  /** How long an answer is reused. Default 5000; 0 asks on every request. */
  cacheTtlMs?: number
  /** Most answers kept at once, so a flood of distinct tokens cannot grow memory without bound. */
  cacheMaxEntries?: number
  timeoutMs?: number
}

/**
 * Asks whether a token is still active; resolves true or false, throws `introspection_unavailable`.
 *
 * @example
 * ```ts
 * const isActive: Introspector = createIntrospector(options, 'https://id.example.com')
 * await isActive(token, claims.exp)
 * ```
 */
export type Introspector = (token: string, expiresAtSeconds: number) => Promise<boolean>

interface CachedAnswer {
  active: boolean
  expiresAtMs: number
}

// RFC 6749 §2.3.1: id and secret are form-urlencoded before being joined and base64-encoded.
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+')
}

/**
 * Creates a checker that POSTs tokens to `/introspect` with HTTP Basic client credentials and
 * requires `active: true`. Answers, positive and negative, are cached for `cacheTtlMs`: that is the
 * longest a logout can go unnoticed, and the price of not calling Gatehouse on every request.
 *
 * @example
 * ```ts
 * const isActive = createIntrospector(
 *   { clientId: 'orders-api', clientSecret: process.env.INTROSPECTION_SECRET! },
 *   'https://id.example.com',
 * )
 * if (!(await isActive(token, claims.exp))) throw new Error('logged out')
 * ```
 */
export function createIntrospector(
  options: IntrospectionOptions,
  issuerBaseUrl: string,
  fetchImpl: FetchLike = fetch,
  now: () => number = Date.now,
): Introspector {
  const url = options.url ?? `${issuerBaseUrl}/introspect`
  const ttlMs = options.cacheTtlMs ?? 5000
  const maxEntries = options.cacheMaxEntries ?? 10_000
  const timeoutMs = options.timeoutMs ?? 5000
  const authorization = `Basic ${Buffer.from(`${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`).toString('base64')}`
  const cache = new Map<string, CachedAnswer>()
  // Concurrent requests with one token share one call instead of stampeding the endpoint.
  const pending = new Map<string, Promise<boolean>>()

  async function ask(token: string): Promise<boolean> {
    let body: unknown
    try {
      const response = await fetchImpl(url, {
        method: 'POST',
        headers: {
          authorization,
          accept: 'application/json',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      })
      if (response.status !== 200) throw new Error(`introspection answered HTTP ${response.status}`)
      body = await response.json()
    } catch (cause) {
      throw new VerifyError('introspection_unavailable', 'the introspection endpoint could not be asked', {
        cause,
      })
    }
    // RFC 7662 §2.2: only a literal `true` means active; anything else is treated as inactive.
    return (body as { active?: unknown } | null)?.active === true
  }

  function remember(key: string, active: boolean, expiresAtSeconds: number): void {
    if (ttlMs <= 0) return
    if (cache.size >= maxEntries) {
      // Maps iterate in insertion order, so the first key is the oldest answer.
      const oldest = cache.keys().next()
      if (!oldest.done) cache.delete(oldest.value)
    }
    // Never reuse "active" past the token's own expiry.
    cache.set(key, { active, expiresAtMs: Math.min(now() + ttlMs, expiresAtSeconds * 1000) })
  }

  return async (token, expiresAtSeconds) => {
    // Keyed by a digest so the cache never holds bearer tokens. A re-encoded (malleated) copy of a
    // token only misses the cache and is asked about afresh, so malleability cannot bypass a denial.
    const key = createHash('sha256').update(token).digest('base64url')
    const cached = cache.get(key)
    if (cached && cached.expiresAtMs > now()) return cached.active
    if (cached) cache.delete(key)
    const inFlight = pending.get(key)
    if (inFlight) return inFlight
    const answer = ask(token)
      .then((active) => {
        remember(key, active, expiresAtSeconds)
        return active
      })
      .finally(() => pending.delete(key))
    pending.set(key, answer)
    return answer
  }
}
