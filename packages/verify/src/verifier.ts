import {
  createRemoteJWKSet,
  customFetch,
  errors,
  jwtVerify,
  type FlattenedJWSInput,
  type JWTHeaderParameters,
  type JWTVerifyOptions,
} from 'jose'
import type { AccessTokenClaims } from './claims.ts'
import { discoverServerMetadata, issuerBase, type FetchLike } from './discovery.ts'
import { VerifyError } from './errors.ts'
import { createIntrospector, type IntrospectionOptions, type Introspector } from './introspection.ts'
import { toVerifyError } from './map-error.ts'

/**
 * How a verifier finds keys and what it requires of a token.
 *
 * @example
 * ```ts
 * const options: VerifierOptions = { issuer: 'https://id.example.com', audience: 'gatehouse', clockToleranceSeconds: 10 }
 * ```
 */
export interface VerifierOptions {
  /** Exactly the `iss` Gatehouse puts in tokens (its GATEHOUSE_ISSUER). */
  issuer: string
  /** The `aud` this service accepts (Gatehouse's GATEHOUSE_AUDIENCE). */
  audience: string
  /** Skips discovery. Default: `jwks_uri` from `${issuer}/.well-known/oauth-authorization-server`. */
  jwksUri?: string
  /** Leeway for `exp`, `nbf` and `iat`. Default 30, Gatehouse's own default. */
  clockToleranceSeconds?: number
  /** Least time between two JWKS fetches caused by unknown kids. Default 30 000. */
  cooldownMs?: number
  /** How long a fetched JWKS is trusted before it is fetched again. Default 300 000, the JWKS max-age. */
  cacheMaxAgeMs?: number
  /** Replaces the global fetch for discovery, JWKS and introspection. */
  fetch?: FetchLike
  /** Also asks Gatehouse whether each token is still active, for routes that must see a logout at once. */
  introspect?: IntrospectionOptions
}

/**
 * Checks Gatehouse access tokens. Create one per process and share it: it holds the JWKS cache.
 *
 * @example
 * ```ts
 * const verifier: Verifier = createVerifier(options)
 * const { sub } = await verifier.verify(request.headers.authorization?.slice(7))
 * ```
 */
export interface Verifier {
  /** Resolves with the token's claims, or rejects with a {@link VerifyError}. */
  verify(token: string | null | undefined): Promise<AccessTokenClaims>
}

/**
 * The algorithms `verify()` accepts. Asymmetric only: a resource server has no HS256 secret, and
 * "none" is never acceptable.
 *
 * @example
 * ```ts
 * ACCEPTED_ALGORITHMS.includes(decodeProtectedHeader(token).alg ?? '') // false for HS256 tokens
 * ```
 */
export const ACCEPTED_ALGORITHMS = ['EdDSA', 'ES256', 'RS256']

// Gatehouse tokens are under 1 KiB; the cap keeps absurd inputs away from base64 and JSON parsing.
const MAX_TOKEN_LENGTH = 8192
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
// Header parameters that let the sender choose the key (RFC 8725 §3.10), and `crit` extensions we do not
// implement (RFC 7515 §4.1.11). None is ever fetched or trusted; Gatehouse never sets any of them.
const FORBIDDEN_HEADER_PARAMETERS = ['jku', 'jwk', 'x5u', 'x5c', 'x5t', 'x5t#S256', 'crit']

type RemoteKeySet = ReturnType<typeof createRemoteJWKSet>

/**
 * Creates a verifier for Gatehouse access tokens. Keys come from the JWKS and are cached; a token
 * with an unknown `kid` triggers at most one refetch per `cooldownMs`, which picks up rotated keys
 * without a restart and stops forged kids from causing a refetch storm.
 *
 * @example
 * ```ts
 * const verifier = createVerifier({ issuer: 'https://id.example.com', audience: 'gatehouse' })
 * const claims = await verifier.verify(token) // throws VerifyError with a stable `code`
 * console.log(claims.sub)
 * ```
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const fetchImpl = options.fetch ?? fetch
  const cooldownMs = options.cooldownMs ?? 30_000
  const clockTolerance = options.clockToleranceSeconds ?? 30
  const base = issuerBase(options.issuer)
  const introspect: Introspector | undefined = options.introspect
    ? createIntrospector(options.introspect, base, fetchImpl)
    : undefined
  const verifyOptions: JWTVerifyOptions = {
    issuer: options.issuer,
    audience: options.audience,
    typ: 'at+jwt',
    algorithms: ACCEPTED_ALGORITHMS,
    requiredClaims: ['sub', 'exp', 'iat', 'jti', 'client_id'],
    clockTolerance,
  }

  const openKeySet = (jwksUri: string): RemoteKeySet =>
    createRemoteJWKSet(new URL(jwksUri), {
      cooldownDuration: cooldownMs,
      cacheMaxAge: options.cacheMaxAgeMs ?? 300_000,
      [customFetch]: fetchImpl,
    })
  let keySet: RemoteKeySet | undefined = options.jwksUri ? openKeySet(options.jwksUri) : undefined
  let discovery: Promise<RemoteKeySet> | undefined
  let lastDiscoveryFailureAt = Number.NEGATIVE_INFINITY

  async function discoveredKeySet(): Promise<RemoteKeySet> {
    // A failed discovery is retried no more often than the JWKS cooldown allows a refetch.
    if (Date.now() - lastDiscoveryFailureAt < cooldownMs) {
      throw new VerifyError('jwks_unavailable', 'metadata discovery failed recently')
    }
    discovery ??= discoverServerMetadata(options.issuer, fetchImpl).then(
      (metadata) => (keySet = openKeySet(metadata.jwks_uri)),
      (error: unknown) => {
        discovery = undefined
        lastDiscoveryFailureAt = Date.now()
        throw error
      },
    )
    return discovery
  }

  async function getKey(header: JWTHeaderParameters, token: FlattenedJWSInput) {
    for (const name of FORBIDDEN_HEADER_PARAMETERS) {
      if (name in header)
        throw new VerifyError('token_malformed', `the "${name}" header parameter is not accepted`)
    }
    // Every Gatehouse token names its key; without a kid the key set would have to guess.
    if (typeof header.kid !== 'string') throw new VerifyError('token_malformed', 'the token has no "kid"')
    const keys = keySet ?? (await discoveredKeySet())
    try {
      return await keys(header, token)
    } catch (error) {
      // A known kid that does not fit the header's alg is algorithm confusion, not a missing key.
      if (
        error instanceof errors.JWKSNoMatchingKey &&
        keys.jwks()?.keys.some((jwk) => jwk.kid === header.kid)
      ) {
        throw new VerifyError('unsupported_alg', 'the token alg does not match its key', { cause: error })
      }
      throw error
    }
  }

  return {
    async verify(token) {
      if (token === undefined || token === null || token === '') {
        throw new VerifyError('token_missing', 'no access token was sent')
      }
      if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) {
        throw new VerifyError('token_malformed', 'the token is not a compact JWS')
      }
      let claims: AccessTokenClaims
      try {
        claims = (await jwtVerify<AccessTokenClaims>(token, getKey, verifyOptions)).payload
      } catch (error) {
        throw toVerifyError(error)
      }
      // jose checks iat only against a maximum age; a token issued in the future is refused here.
      if (claims.iat > Date.now() / 1000 + clockTolerance) {
        throw new VerifyError('token_not_yet_valid', 'the token was issued in the future')
      }
      if (introspect && !(await introspect(token, claims.exp))) {
        throw new VerifyError('token_inactive', 'Gatehouse says the token is no longer active')
      }
      return claims
    },
  }
}
