import { errors } from 'jose'
import { VerifyError, type VerifyErrorCode } from './errors.ts'

const CLAIM_CODES: Record<string, VerifyErrorCode> = {
  iss: 'wrong_issuer',
  aud: 'wrong_audience',
  typ: 'wrong_type',
  nbf: 'token_not_yet_valid',
  iat: 'token_not_yet_valid',
  exp: 'token_expired',
}

/**
 * Turns whatever jose (or the network under it) threw into a VerifyError with a stable code.
 * Anything unrecognised becomes `token_malformed`: refusing is the safe default.
 *
 * @example
 * ```ts
 * try {
 *   await jwtVerify(token, keySet, options)
 * } catch (error) {
 *   throw toVerifyError(error)
 * }
 * ```
 */
export function toVerifyError(error: unknown): VerifyError {
  if (error instanceof VerifyError) return error
  if (error instanceof errors.JWTExpired)
    return new VerifyError('token_expired', 'the token has expired', { cause: error })
  if (error instanceof errors.JWTClaimValidationFailed) {
    // A missing or mistyped claim is a malformed token; a present but wrong one has its own code.
    const code = error.reason === 'check_failed' ? CLAIM_CODES[error.claim] : undefined
    return new VerifyError(
      code ?? 'token_malformed',
      `the "${error.claim}" claim is ${error.reason === 'missing' ? 'missing' : 'not acceptable'}`,
      {
        cause: error,
      },
    )
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new VerifyError('invalid_signature', 'the signature does not verify', { cause: error })
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new VerifyError('unsupported_alg', 'the token is signed with an algorithm that is not accepted', {
      cause: error,
    })
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new VerifyError('unknown_key', 'no published key matches the token', { cause: error })
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return new VerifyError('jwks_unavailable', 'the JWKS could not be loaded', { cause: error })
  }
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JOSENotSupported
  ) {
    return new VerifyError('token_malformed', 'the token is not a well-formed JWS', { cause: error })
  }
  // jose wraps a non-200 JWKS answer in a bare JOSEError; fetch throws TypeError when the host is down.
  if (
    error instanceof errors.JOSEError ||
    error instanceof TypeError ||
    (error instanceof Error && error.name === 'TimeoutError')
  ) {
    return new VerifyError('jwks_unavailable', 'the JWKS could not be loaded', { cause: error })
  }
  return new VerifyError('token_malformed', 'the token could not be verified', { cause: error })
}
