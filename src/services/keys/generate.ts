import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose'
import type { SigningAlgorithm } from '../../config.ts'

/** An asymmetric algorithm: one whose public half can be published. */
export type AsymmetricAlgorithm = Exclude<SigningAlgorithm, 'HS256'>

/** A fresh key pair as JWKs, with its RFC 7638 thumbprint as the kid. */
export interface GeneratedKey {
  kid: string
  algorithm: AsymmetricAlgorithm
  publicJwk: JWK
  privateJwk: JWK
}

/** RSA keys default to 3072 bits (NIST's 128-bit security level); RFC 9068 needs RS256 support. */
export const RSA_MODULUS_BITS = 3072

/** Generates a signing key for one algorithm; the key is bound to that algorithm for life. */
export async function generateSigningKey(algorithm: AsymmetricAlgorithm): Promise<GeneratedKey> {
  const { publicKey, privateKey } = await generateKeyPair(algorithm, {
    extractable: true,
    ...(algorithm === 'EdDSA' ? { crv: 'Ed25519' } : {}),
    ...(algorithm === 'RS256' ? { modulusLength: RSA_MODULUS_BITS } : {}),
  })
  const publicJwk = await exportJWK(publicKey)
  const privateJwk = await exportJWK(privateKey)
  const kid = await calculateJwkThumbprint(publicJwk)
  return { kid, algorithm, publicJwk: publicOnly(publicJwk, kid, algorithm), privateJwk }
}

/** The members of a JWK that may be published: never `d` or any other private part. */
export function publicOnly(jwk: JWK, kid: string, algorithm: AsymmetricAlgorithm): JWK {
  const { kty, crv, x, y, n, e } = jwk
  return Object.fromEntries(
    Object.entries({ kty, crv, x, y, n, e, kid, alg: algorithm, use: 'sig' }).filter(
      ([, value]) => value !== undefined,
    ),
  )
}
