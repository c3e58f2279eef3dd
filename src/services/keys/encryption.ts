import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto'

// Private signing keys are stored as AES-256-GCM ciphertext under a key derived from GATEHOUSE_SECRET.
// Each blob names (by a short hash) the derived key that sealed it, so after the secret is rotated
// the server knows to open old blobs with GATEHOUSE_SECRET_PREVIOUS and can re-seal them.

const FORMAT_VERSION = 'v1'

interface DerivedKey {
  key: Buffer
  hint: string
}

function deriveKey(secret: string): DerivedKey {
  const key = Buffer.from(hkdfSync('sha256', secret, 'gatehouse', 'signing-key-encryption/v1', 32))
  const hint = createHash('sha256').update(key).digest('base64url').slice(0, 8)
  return { key, hint }
}

/** Seals and opens private key material with the current secret, falling back to the previous one. */
export class SecretBox {
  private readonly current: DerivedKey
  private readonly previous: DerivedKey | undefined

  constructor(secret: string, previousSecret?: string) {
    this.current = deriveKey(secret)
    this.previous = previousSecret === undefined ? undefined : deriveKey(previousSecret)
  }

  /** Encrypts text under the current secret. */
  seal(plaintext: string): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv)
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()])
    return [FORMAT_VERSION, this.current.hint, iv.toString('base64url'), body.toString('base64url')].join('.')
  }

  /** Decrypts a sealed blob; throws when neither secret opens it. */
  open(sealed: string): string {
    const [version, hint, ivText, bodyText] = sealed.split('.')
    if (version !== FORMAT_VERSION || !hint || !ivText || !bodyText)
      throw new Error('unrecognized sealed key format')
    const derived = [this.current, this.previous].find((candidate) => candidate?.hint === hint)
    if (!derived)
      throw new Error('sealed with a secret that is neither GATEHOUSE_SECRET nor GATEHOUSE_SECRET_PREVIOUS')
    const body = Buffer.from(bodyText, 'base64url')
    const decipher = createDecipheriv('aes-256-gcm', derived.key, Buffer.from(ivText, 'base64url'))
    decipher.setAuthTag(body.subarray(body.length - 16))
    return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString(
      'utf8',
    )
  }

  /** True when the blob was sealed with the previous secret and should be re-sealed. */
  isSealedWithPrevious(sealed: string): boolean {
    return this.previous !== undefined && sealed.split('.')[1] === this.previous.hint
  }
}
