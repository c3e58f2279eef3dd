import { VerifyError } from './errors.ts'

/**
 * The members of RFC 8414 authorization server metadata this library reads.
 *
 * @example
 * ```ts
 * const metadata: ServerMetadata = await discoverServerMetadata('https://id.example.com')
 * console.log(metadata.jwks_uri, metadata.introspection_endpoint)
 * ```
 */
export interface ServerMetadata {
  issuer: string
  jwks_uri: string
  introspection_endpoint?: string
}

/**
 * A `fetch` with the standard signature; tests and egress proxies may pass their own.
 *
 * @example
 * ```ts
 * const viaProxy: FetchLike = (input, init) => fetch(input, { ...init, headers: { ...init?.headers, 'x-egress': 'auth' } })
 * createVerifier({ issuer, audience, fetch: viaProxy })
 * ```
 */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>

/**
 * Strips trailing slashes, so `https://id.example/` and `https://id.example` join the same way.
 *
 * @example
 * ```ts
 * issuerBase('https://id.example.com/') // 'https://id.example.com'
 * ```
 */
export function issuerBase(issuer: string): string {
  return issuer.replace(/\/+$/, '')
}

/**
 * Fetches Gatehouse's RFC 8414 metadata from `${issuer}/.well-known/oauth-authorization-server`
 * and checks that it names the expected issuer.
 *
 * @example
 * ```ts
 * const { jwks_uri } = await discoverServerMetadata('https://id.example.com')
 * ```
 */
export async function discoverServerMetadata(
  issuer: string,
  fetchImpl: FetchLike = fetch,
  timeoutMs = 5000,
): Promise<ServerMetadata> {
  const url = `${issuerBase(issuer)}/.well-known/oauth-authorization-server`
  let body: unknown
  try {
    // Redirects are refused: the metadata must come from the issuer itself (RFC 8414 §3).
    const response = await fetchImpl(url, {
      headers: { accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    })
    if (response.status !== 200) throw new Error(`metadata answered HTTP ${response.status}`)
    body = await response.json()
  } catch (cause) {
    throw new VerifyError('jwks_unavailable', 'could not fetch the authorization server metadata', { cause })
  }
  const metadata = body as Partial<ServerMetadata> | null
  // RFC 8414 §3.3: a document naming another issuer must not be used, or a mix-up hands us foreign keys.
  if (metadata?.issuer !== issuer) {
    throw new VerifyError('jwks_unavailable', 'the metadata names a different issuer')
  }
  if (typeof metadata.jwks_uri !== 'string' || !/^https?:\/\//.test(metadata.jwks_uri)) {
    throw new VerifyError('jwks_unavailable', 'the metadata has no usable jwks_uri')
  }
  return metadata as ServerMetadata
}
