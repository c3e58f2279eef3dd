import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto'
import { calculateJwkThumbprint, type JWK } from 'jose'
import type { AsymmetricAlgorithm, GeneratedKey } from './generate.ts'
import { publicOnly } from './generate.ts'

const MIN_RSA_BITS = 2048

/**
 * Reads a private key (a JWK as JSON, or PKCS#8 / SEC1 / PKCS#1 PEM) for one algorithm, checks the key
 * fits that algorithm, and returns it in the form Gatehouse stores. The alg is bound here for life.
 */
export async function parsePrivateKey(text: string, algorithm: AsymmetricAlgorithm): Promise<GeneratedKey> {
  let privateKey: KeyObject
  try {
    const trimmed = text.trim()
    privateKey = trimmed.startsWith('{')
      ? createPrivateKey({ key: JSON.parse(trimmed) as JsonWebKey, format: 'jwk' })
      : createPrivateKey({ key: trimmed, format: 'pem' })
  } catch {
    throw new Error('not a private key: expected a private JWK (JSON) or a PEM private key')
  }
  checkKeyFits(privateKey, algorithm)
  const privateJwk = privateKey.export({ format: 'jwk' }) as JWK
  const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK
  const kid = await calculateJwkThumbprint(publicJwk)
  return { kid, algorithm, publicJwk: publicOnly(publicJwk, kid, algorithm), privateJwk }
}

function checkKeyFits(key: KeyObject, algorithm: AsymmetricAlgorithm): void {
  const details = key.asymmetricKeyDetails
  const fits =
    (algorithm === 'EdDSA' && key.asymmetricKeyType === 'ed25519') ||
    (algorithm === 'ES256' && key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1') ||
    (algorithm === 'RS256' &&
      key.asymmetricKeyType === 'rsa' &&
      (details?.modulusLength ?? 0) >= MIN_RSA_BITS)
  if (!fits) {
    throw new Error(
      `a ${key.asymmetricKeyType ?? 'unknown'} key cannot be used for ${algorithm} ` +
        '(EdDSA needs Ed25519, ES256 needs P-256, RS256 needs RSA of at least 2048 bits)',
    )
  }
}
