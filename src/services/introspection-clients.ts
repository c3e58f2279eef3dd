import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * The resource servers allowed to call /introspect. Secrets are kept only as SHA-256 digests from
 * start-up on, and compared in constant time.
 */
export class IntrospectionClients {
  private readonly digests = new Map<string, Buffer>()

  constructor(clients: ReadonlyArray<{ id: string; secret: string }>) {
    for (const client of clients) this.digests.set(client.id, digest(client.secret))
  }

  /** True when the RFC 6749 §2.3.1 Basic credentials name a configured client with its secret. */
  verifyBasicHeader(authorization: string): boolean {
    const match = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(authorization)
    if (!match?.[1]) return false
    const decoded = Buffer.from(match[1], 'base64').toString('utf8')
    const separator = decoded.indexOf(':')
    if (separator < 0) return false
    let id: string
    let secret: string
    try {
      // RFC 6749 §2.3.1: both parts are form-urlencoded before being joined.
      id = decodeURIComponent(decoded.slice(0, separator).replace(/\+/g, ' '))
      secret = decodeURIComponent(decoded.slice(separator + 1).replace(/\+/g, ' '))
    } catch {
      return false
    }
    const expected = this.digests.get(id)
    // Compare against something even for unknown ids, so timing does not reveal which ids exist.
    const actual = digest(secret)
    return timingSafeEqual(actual, expected ?? digest(`unknown:${secret}`)) && expected !== undefined
  }
}

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest()
}
