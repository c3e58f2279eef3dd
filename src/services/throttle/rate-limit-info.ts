/** What the RateLimit-* response headers (draft-ietf-httpapi-ratelimit-headers) report. */
export interface RateLimitInfo {
  limit: number
  remaining: number
  /** Seconds until the quota is restored. */
  resetSeconds: number
}

/** Receives a quota as soon as a throttle admits a request, so every outcome can carry the headers. */
export type RateLimitSink = (info: RateLimitInfo) => void

/** RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset for a quota. */
export function rateLimitHeaders(info: RateLimitInfo): Record<string, string> {
  return {
    'ratelimit-limit': String(info.limit),
    'ratelimit-remaining': String(Math.max(0, info.remaining)),
    'ratelimit-reset': String(Math.max(0, Math.ceil(info.resetSeconds))),
  }
}
