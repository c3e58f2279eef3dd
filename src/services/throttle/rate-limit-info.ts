/** What the RateLimit-* response headers (draft-ietf-httpapi-ratelimit-headers) report. */
export interface RateLimitInfo {
  limit: number
  remaining: number
  /** Seconds until the quota is restored. */
  resetSeconds: number
}
