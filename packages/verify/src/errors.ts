/**
 * Why a token was refused. Stable: switch on it, log it, map it to HTTP; the message may change.
 *
 * `jwks_unavailable` and `introspection_unavailable` mean Gatehouse could not be asked, not that the
 * token is bad, so the framework glue answers 503 for them instead of 401.
 */
export type VerifyErrorCode =
  | 'token_missing'
  | 'token_malformed'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'invalid_signature'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'wrong_type'
  | 'unsupported_alg'
  | 'unknown_key'
  | 'jwks_unavailable'
  | 'token_inactive'
  | 'introspection_unavailable'

/**
 * The one error `verify()` throws. The cause (a jose error, a network error) is kept for logs.
 *
 * @example
 * ```ts
 * try {
 *   await verifier.verify(token)
 * } catch (error) {
 *   if (error instanceof VerifyError && error.code === 'token_expired') return refreshAndRetry()
 *   throw error
 * }
 * ```
 */
export class VerifyError extends Error {
  constructor(
    readonly code: VerifyErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'VerifyError'
  }
}
