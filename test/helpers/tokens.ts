import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { KeyObject, sign } from 'node:crypto'
import { expect } from 'vitest'

// Reading and forging compact JWS by hand, so tests can build exactly the token a case needs.

/** The decoded header and payload of a compact JWS. */
export interface TokenParts {
  header: Record<string, unknown>
  payload: Record<string, unknown>
}

/** base64url of a JSON value, as a JWS segment. */
export function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url')
}

/** The JSON value of one base64url JWS segment. */
export function decodeSegment(segment: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>
}

/** The decoded header and payload of a compact JWS. */
export function decodeToken(token: string): TokenParts {
  const [header, payload] = token.split('.') as [string, string]
  return { header: decodeSegment(header), payload: decodeSegment(payload) }
}

/** The kid a token's header names. */
export function kidOf(token: string): string | undefined {
  return decodeToken(token).header.kid as string | undefined
}

/**
 * Signs raw segments with the server's own current private key. Forged headers then carry a valid
 * signature, so a refusal proves the header check itself works, not merely that the signature broke.
 */
export function signWithServerKey(
  app: FastifyInstance,
  headerSegment: string,
  payloadSegment: string,
): string {
  const signingKey = app.services.keys.signingKey()
  const input = Buffer.from(`${headerSegment}.${payloadSegment}`, 'ascii')
  if (signingKey.algorithm === 'HS256' || signingKey.privateKey instanceof Uint8Array) {
    throw new Error('signWithServerKey expects an asymmetric signing key')
  }
  const privateKey = KeyObject.from(signingKey.privateKey)
  const signature =
    signingKey.algorithm === 'EdDSA'
      ? sign(null, input, privateKey)
      : signingKey.algorithm === 'ES256'
        ? sign('sha256', input, { key: privateKey, dsaEncoding: 'ieee-p1363' })
        : sign('sha256', input, privateKey)
  return `${headerSegment}.${payloadSegment}.${signature.toString('base64url')}`
}

/** Re-signs a real token after changing its header and claims with the server key. */
export function resignToken(
  app: FastifyInstance,
  token: string,
  change: (parts: TokenParts) => void,
): string {
  const parts = decodeToken(token)
  change(parts)
  return signWithServerKey(app, encodeSegment(parts.header), encodeSegment(parts.payload))
}

/** Asserts the RFC 6750 answer to a token that was sent but is not acceptable. */
export function expectInvalidToken(response: LightMyRequestResponse): void {
  expect(response.statusCode, response.body).toBe(401)
  expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"')
  expect(response.json()).toMatchObject({ code: 'invalid_token' })
}
