import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { createHash } from 'node:crypto'
import type { Config } from '../config.ts'
import { JWKS_MAX_AGE_SECONDS } from '../services/keys/schedule.ts'
import { SUPPORTED_GRANT_TYPES } from '../services/grants/index.ts'

// The metadata only changes with configuration (a restart) or when a key of a new algorithm appears;
// an hour is what large providers use, and jwks_uri itself never moves.
const METADATA_MAX_AGE_SECONDS = 3600

/** The RFC 8414 authorization server metadata document. */
export interface AuthorizationServerMetadata {
  issuer: string
  token_endpoint: string
  jwks_uri: string
  revocation_endpoint: string
  introspection_endpoint: string
  grant_types_supported: string[]
  response_types_supported: string[]
  token_endpoint_auth_methods_supported: string[]
  revocation_endpoint_auth_methods_supported: string[]
  introspection_endpoint_auth_methods_supported: string[]
  access_token_signing_alg_values_supported: string[]
}

/**
 * Builds the metadata from configuration only: a spoofed Host header must never change a URL here,
 * or a poisoned cache could send resource servers to an attacker's JWKS (RFC 8414 §3.3, §6).
 */
export function authorizationServerMetadata(
  config: Pick<Config, 'issuer' | 'jwtAlgorithm'>,
  publishedAlgorithms: readonly string[],
): AuthorizationServerMetadata {
  // `issuer` stays byte for byte what tokens carry in `iss`; only the joined URLs lose a trailing slash.
  const base = config.issuer.replace(/\/+$/, '')
  return {
    issuer: config.issuer,
    token_endpoint: `${base}/token`,
    jwks_uri: `${base}/.well-known/jwks.json`,
    revocation_endpoint: `${base}/revoke`,
    introspection_endpoint: `${base}/introspect`,
    grant_types_supported: [...SUPPORTED_GRANT_TYPES],
    // RFC 8414 §2 makes this required, but we have no authorization endpoint, so no response types.
    response_types_supported: [],
    // First-party clients are public: the token endpoint takes no client authentication.
    token_endpoint_auth_methods_supported: ['none'],
    revocation_endpoint_auth_methods_supported: ['none'],
    // Only registered client authentication methods belong here (RFC 8414 §2, IANA "Token Endpoint
    // Authentication Methods"). An admin's bearer token also works, but "bearer" is not such a method
    // and resource servers should not use it, so it stays out of the document.
    introspection_endpoint_auth_methods_supported: ['client_secret_basic'],
    // RFC 8414 has no member for access-token signing algorithms, and id_token_signing_alg_values_supported
    // would promise ID tokens we do not issue. §2 allows extensions, so this names what resource servers
    // must accept: the configured algorithm plus every algorithm a still-published key signs with.
    access_token_signing_alg_values_supported: [...new Set([config.jwtAlgorithm, ...publishedAlgorithms])],
  }
}

/** Public key and metadata discovery for resource servers. */
export const wellKnownRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/.well-known/jwks.json',
    { schema: { tags: ['discovery'], summary: 'Public signing keys (JWK Set)' } },
    async (request, reply) => {
      const body = JSON.stringify(app.services.keys.jwks())
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`
      reply.header('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`).header('etag', etag)
      if (request.headers['if-none-match'] === etag) return reply.code(304).send()
      return reply.type('application/json; charset=utf-8').send(body)
    },
  )

  const metadataHandler = async (_request: FastifyRequest, reply: FastifyReply) => {
    const published = app.services.keys
      .jwks()
      .keys.map((key) => key.alg)
      .filter((alg): alg is string => typeof alg === 'string')
    reply.header('cache-control', `public, max-age=${METADATA_MAX_AGE_SECONDS}`)
    return authorizationServerMetadata(app.services.config, published)
  }

  // RFC 8414 §3 names the first path; OpenID-minded tooling looks for the second, so both serve one document.
  for (const url of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
    app.get(
      url,
      { schema: { tags: ['discovery'], summary: 'Authorization server metadata (RFC 8414)' } },
      metadataHandler,
    )
  }
}
