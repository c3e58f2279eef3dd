import type { VerifyError, VerifyErrorCode } from './errors.ts'

/**
 * An HTTP answer for a refused request, ready for any framework to send.
 *
 * @example
 * ```ts
 * const { status, headers, body }: BearerChallenge = bearerChallenge(error)
 * ```
 */
export interface BearerChallenge {
  status: 401 | 403 | 503
  headers: Record<string, string>
  body: { error: string; error_description: string }
}

// Fixed texts, never error.message: they end up inside a quoted header value, where a quote or a
// backslash would break the challenge (RFC 6750 §3), and they must never echo token contents.
const DESCRIPTIONS: Record<VerifyErrorCode, string> = {
  token_missing: 'An access token is required',
  token_malformed: 'The access token is malformed',
  token_expired: 'The access token expired',
  token_not_yet_valid: 'The access token is not valid yet',
  invalid_signature: 'The access token signature is invalid',
  wrong_issuer: 'The access token comes from another issuer',
  wrong_audience: 'The access token is meant for another audience',
  wrong_type: 'The token is not an access token',
  unsupported_alg: 'The access token algorithm is not accepted',
  unknown_key: 'The access token was signed by an unknown key',
  token_inactive: 'The access token is no longer active',
  jwks_unavailable: 'The authorization server cannot be reached',
  introspection_unavailable: 'The authorization server cannot be reached',
}

/**
 * Reads the token from an `Authorization: Bearer …` header (RFC 6750 §2.1). Tokens in the query
 * string or the body are ignored on purpose: they leak into logs and Referer headers.
 *
 * @example
 * ```ts
 * const token = extractBearerToken(request.headers.authorization) // undefined when absent
 * ```
 */
export function extractBearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined
  const match = /^Bearer(?: +(\S*))? *$/i.exec(authorization)
  return match ? (match[1] ?? '') : undefined
}

/**
 * The RFC 6750 §3 answer for a refused token or a missing role: 401 with a bare `Bearer` challenge
 * when no token came, 401 `invalid_token` when it was bad, 403 `insufficient_scope` for a missing role.
 * Gatehouse being unreachable is not the token's fault, so it is a 503 that tells clients to retry.
 *
 * @example
 * ```ts
 * const challenge = bearerChallenge(error)
 * response.status(challenge.status).set(challenge.headers).json(challenge.body)
 * ```
 */
export function bearerChallenge(reason: VerifyError | 'insufficient_scope'): BearerChallenge {
  if (reason === 'insufficient_scope') {
    const description = 'The access token lacks the required role'
    return {
      status: 403,
      headers: {
        'www-authenticate': `Bearer error="insufficient_scope", error_description="${description}"`,
      },
      body: { error: 'insufficient_scope', error_description: description },
    }
  }
  const description = DESCRIPTIONS[reason.code]
  if (reason.code === 'jwks_unavailable' || reason.code === 'introspection_unavailable') {
    return {
      status: 503,
      headers: { 'retry-after': '5' },
      body: { error: 'temporarily_unavailable', error_description: description },
    }
  }
  if (reason.code === 'token_missing') {
    // RFC 6750 §3.1: without authentication information the challenge carries no error code.
    return {
      status: 401,
      headers: { 'www-authenticate': 'Bearer' },
      body: { error: 'unauthorized', error_description: description },
    }
  }
  return {
    status: 401,
    headers: { 'www-authenticate': `Bearer error="invalid_token", error_description="${description}"` },
    body: { error: 'invalid_token', error_description: description },
  }
}
