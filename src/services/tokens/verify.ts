import { createHmac, timingSafeEqual, verify as verifySignature } from 'node:crypto'
import type { VerificationKey } from '../keys/key-store.ts'
import { ACCESS_TOKEN_TYPE, type AccessTokenClaims } from './claims.ts'

// Verification is synchronous on purpose. jose verifies through WebCrypto, which queues on libuv's
// thread pool behind argon2 hashes: under a login storm every authenticated request stalled behind
// the hashing. node:crypto's one-shot verify runs on the calling thread in microseconds.

/** Why a token was refused; logged, never sent to the client. */
export type TokenFailure =
  | 'too_long'
  | 'malformed'
  | 'bad_header'
  | 'unsupported_typ'
  | 'forbidden_header'
  | 'unknown_kid'
  | 'alg_mismatch'
  | 'bad_signature'
  | 'bad_claims'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'expired'
  | 'not_yet_valid'

/** A refused token. */
export class TokenError extends Error {
  constructor(readonly reason: TokenFailure) {
    super(`access token refused: ${reason}`)
    this.name = 'TokenError'
  }
}

/** What verification checks the claims against. */
export interface VerifyOptions {
  lookupKey: (kid: string) => VerificationKey | undefined
  issuer: string
  audience: string
  nowSeconds: number
  leewaySeconds: number
  /** The longest lifetime a token of ours can have (the access-token TTL): bounds `exp - iat`. */
  maxLifetimeSeconds: number
}

/** Longest token accepted; ours are under 1 KiB, so anything far larger is an attack or a mistake. */
export const MAX_TOKEN_LENGTH = 8192

const BASE64URL = /^[A-Za-z0-9_-]+$/
// Header parameters that point at key material; trusting any of them lets the sender pick the key (RFC 8725 §3.10).
const FORBIDDEN_HEADER_PARAMETERS = ['jku', 'jwk', 'x5u', 'x5c', 'x5t', 'x5t#S256']

function decodeSegment(segment: string): Buffer {
  // Strict base64url: no padding, no whitespace, no '+' or '/', and the canonical encoding only.
  if (!BASE64URL.test(segment)) throw new TokenError('malformed')
  const bytes = Buffer.from(segment, 'base64url')
  if (bytes.toString('base64url') !== segment) throw new TokenError('malformed')
  return bytes
}

function parseObject(bytes: Buffer, failure: TokenFailure): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(bytes.toString('utf8'))
  } catch {
    throw new TokenError(failure)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TokenError(failure)
  return value as Record<string, unknown>
}

function checkSignature(key: VerificationKey, signingInput: Buffer, signature: Buffer): boolean {
  switch (key.algorithm) {
    case 'EdDSA':
      return verifySignature(null, signingInput, key.key, signature)
    case 'ES256':
      return verifySignature('sha256', signingInput, { key: key.key, dsaEncoding: 'ieee-p1363' }, signature)
    case 'RS256':
      return verifySignature('sha256', signingInput, key.key, signature)
    case 'HS256': {
      const expected = createHmac('sha256', key.key).update(signingInput).digest()
      return expected.length === signature.length && timingSafeEqual(expected, signature)
    }
  }
}

/** Checks a compact JWS access token and returns its claims, or throws TokenError. */
export function verifyAccessToken(token: string, options: VerifyOptions): AccessTokenClaims {
  if (token.length > MAX_TOKEN_LENGTH) throw new TokenError('too_long')
  const segments = token.split('.')
  if (segments.length !== 3) throw new TokenError('malformed')
  const [headerSegment, payloadSegment, signatureSegment] = segments as [string, string, string]

  const header = parseObject(decodeSegment(headerSegment), 'bad_header')
  if (typeof header.typ !== 'string' || !isAccessTokenType(header.typ))
    throw new TokenError('unsupported_typ')
  // We understand no extensions, so any `crit` makes the token invalid (RFC 7515 §4.1.11).
  if ('crit' in header || 'b64' in header) throw new TokenError('forbidden_header')
  if (FORBIDDEN_HEADER_PARAMETERS.some((name) => name in header)) throw new TokenError('forbidden_header')
  if (typeof header.alg !== 'string' || typeof header.kid !== 'string') throw new TokenError('bad_header')

  const key = options.lookupKey(header.kid)
  if (!key) throw new TokenError('unknown_kid')
  // The key decides the algorithm, never the token: this is what defeats "none" and RS→HS confusion.
  if (header.alg !== key.algorithm) throw new TokenError('alg_mismatch')

  const signature = decodeSegment(signatureSegment)
  const signingInput = Buffer.from(`${headerSegment}.${payloadSegment}`, 'ascii')
  let valid: boolean
  try {
    valid = checkSignature(key, signingInput, signature)
  } catch {
    valid = false
  }
  if (!valid) throw new TokenError('bad_signature')

  const claims = parseObject(decodeSegment(payloadSegment), 'bad_claims')
  return checkClaims(claims, options)
}

function isAccessTokenType(typ: string): boolean {
  const lowered = typ.toLowerCase()
  return lowered === ACCESS_TOKEN_TYPE || lowered === `application/${ACCESS_TOKEN_TYPE}`
}

function checkClaims(claims: Record<string, unknown>, options: VerifyOptions): AccessTokenClaims {
  const { iss, aud, sub, sid, jti, exp, iat, nbf, client_id: clientId } = claims
  if (
    typeof sub !== 'string' ||
    typeof sid !== 'string' ||
    typeof jti !== 'string' ||
    typeof clientId !== 'string'
  ) {
    throw new TokenError('bad_claims')
  }
  if (!isNumericDate(exp) || !isNumericDate(iat) || (nbf !== undefined && !isNumericDate(nbf))) {
    throw new TokenError('bad_claims')
  }
  if (iss !== options.issuer) throw new TokenError('wrong_issuer')
  const audiences = Array.isArray(aud) ? aud : [aud]
  if (!audiences.includes(options.audience)) throw new TokenError('wrong_audience')
  checkClaimTimes({ exp, iat, nbf }, options)
  return claims as unknown as AccessTokenClaims
}

/**
 * The claim checks that depend on the clock: run at verification and again on every verified-token
 * cache hit, so a cached token expires exactly when an uncached one would.
 */
export function checkClaimTimes(
  claims: { exp: number; iat: number; nbf?: number | undefined },
  options: Pick<VerifyOptions, 'nowSeconds' | 'leewaySeconds' | 'maxLifetimeSeconds'>,
): void {
  const { exp, iat, nbf } = claims
  const { nowSeconds, leewaySeconds, maxLifetimeSeconds } = options
  if (exp <= nowSeconds - leewaySeconds) throw new TokenError('expired')
  if (iat > nowSeconds + leewaySeconds) throw new TokenError('not_yet_valid')
  if (nbf !== undefined && nbf > nowSeconds + leewaySeconds) throw new TokenError('not_yet_valid')
  // Regression (issue 16, finding 3): a validly signed `exp: 1e308` (or 1e309, which JSON.parse turns into
  // Infinity) never expired. We never issue a token living longer than the access-token TTL, so anything
  // claiming more, or issued (or valid from) longer ago than a token can live, is refused.
  const oldest = nowSeconds - maxLifetimeSeconds - leewaySeconds
  if (iat < oldest || (nbf !== undefined && nbf < oldest)) throw new TokenError('bad_claims')
  if (exp > iat + maxLifetimeSeconds + leewaySeconds) throw new TokenError('bad_claims')
}

/** RFC 7519 §2 NumericDate: a JSON number of seconds; Infinity and NaN are not dates. */
function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}
