import { AppError, OAuthError } from '../../errors.ts'
import { ThrottledError } from '../throttle/errors.ts'
import { rateLimitHeaders } from '../throttle/rate-limit-info.ts'

/**
 * The one translation from service errors to RFC 6749 §5.2 errors for the OAuth endpoints. A failed
 * password is the same failure as /login's, in RFC 6749 clothing. RFC 6749 defines no "too many
 * requests" error, so a throttled request answers 429 with invalid_grant, and Retry-After and the
 * RateLimit headers carry the wait. A malformed parameter is invalid_request. Anything else (database
 * down, server busy) passes through.
 */
export function toOAuthError(error: unknown): unknown {
  if (error instanceof ThrottledError) {
    return new OAuthError('invalid_grant', error.detail, 429, {
      ...rateLimitHeaders(error.rateLimit),
      'retry-after': String(error.retryAfterSeconds),
    })
  }
  // The detail says what was wrong (a password, or a second-factor code), never which account exists.
  if (error instanceof AppError && error.code === 'invalid_credentials') {
    return new OAuthError('invalid_grant', error.detail)
  }
  if (error instanceof AppError && error.code === 'invalid_mfa_token') {
    return new OAuthError('invalid_grant', error.detail)
  }
  // A parameter the service refused as malformed (ill-formed Unicode): RFC 6749 §5.2 invalid_request.
  if (error instanceof AppError && error.statusCode === 422)
    return new OAuthError('invalid_request', error.detail)
  return error
}
