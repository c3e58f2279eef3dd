/**
 * Verify Gatehouse access tokens in a resource server.
 *
 * @example
 * ```ts
 * import { createVerifier, VerifyError } from '@gatehouse/verify'
 *
 * const verifier = createVerifier({ issuer: 'https://id.example.com', audience: 'gatehouse' })
 * const claims = await verifier.verify(token)
 * ```
 * @module
 */
export type { AccessTokenClaims } from './claims.ts'
export { discoverServerMetadata, type FetchLike, type ServerMetadata } from './discovery.ts'
export { VerifyError, type VerifyErrorCode } from './errors.ts'
export { createIntrospector, type IntrospectionOptions, type Introspector } from './introspection.ts'
export { ACCEPTED_ALGORITHMS, createVerifier, type Verifier, type VerifierOptions } from './verifier.ts'
export { bearerChallenge, extractBearerToken, type BearerChallenge } from './bearer.ts'
