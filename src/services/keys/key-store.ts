import {
  createHash,
  createPublicKey,
  createSecretKey,
  type JsonWebKey,
  type KeyObject,
  type webcrypto,
} from 'node:crypto'
import { importJWK, type JWK } from 'jose'
import type { Kysely } from 'kysely'
import type { Config, SigningAlgorithm } from '../../config.ts'
import { insertSigningKey, listPublishedSigningKeys, type SigningKeyRow } from '../../db/keys.ts'
import type { Database } from '../../db/schema.ts'
import type { Clock } from '../clock.ts'
import { SecretBox } from './encryption.ts'
import { generateSigningKey, type AsymmetricAlgorithm } from './generate.ts'

/** A key that can check signatures: exactly one algorithm per kid (RFC 8725 §3.1). */
export interface VerificationKey {
  kid: string
  algorithm: SigningAlgorithm
  key: KeyObject
}

/** The key new tokens are signed with. */
export interface SigningKey {
  kid: string
  algorithm: SigningAlgorithm
  privateKey: webcrypto.CryptoKey | Uint8Array
}

// Unknown kids trigger a reload at most this often, so forged kids cannot make us hammer the database.
const UNKNOWN_KID_RELOAD_COOLDOWN_MS = 5_000

/** Holds the verification table and the current signing key, loaded from the database. */
export class KeyStore {
  private verificationKeys = new Map<string, VerificationKey>()
  private publishedJwks: JWK[] = []
  private signer: SigningKey | undefined
  private lastReloadAt = Number.NEGATIVE_INFINITY
  private readonly box: SecretBox
  private readonly hmacKey: VerificationKey | undefined

  constructor(
    private readonly db: Kysely<Database>,
    private readonly config: Config,
    private readonly clock: Clock,
  ) {
    this.box = new SecretBox(config.secret, config.secretPrevious)
    if (config.jwtAlgorithm === 'HS256' && config.hs256Secret) {
      const secret = Buffer.from(config.hs256Secret, 'utf8')
      // The kid names the secret without revealing it, so a changed secret gets a new kid.
      const kid = `hs256-${createHash('sha256').update(secret).digest('base64url').slice(0, 16)}`
      this.hmacKey = { kid, algorithm: 'HS256', key: createSecretKey(secret) }
    }
  }

  /** Makes sure a signing key for the configured algorithm exists, then loads every published key. */
  async initialize(): Promise<void> {
    if (this.config.jwtAlgorithm !== 'HS256') {
      const rows = await listPublishedSigningKeys(this.db, this.clock.now())
      if (!rows.some((row) => this.canSign(row))) await this.createKey(this.config.jwtAlgorithm)
    }
    await this.reload()
  }

  /** Creates and stores a key that signs from now on. */
  async createKey(algorithm: AsymmetricAlgorithm): Promise<string> {
    const generated = await generateSigningKey(algorithm)
    const now = this.clock.now()
    await insertSigningKey(this.db, {
      kid: generated.kid,
      algorithm,
      public_jwk: JSON.stringify(generated.publicJwk),
      private_jwk_encrypted: this.box.seal(JSON.stringify(generated.privateJwk)),
      created_at: now,
      not_before: now,
      retired_at: null,
      published_until: null,
    })
    return generated.kid
  }

  /** Rebuilds the verification table and picks the signing key from what the database holds now. */
  async reload(): Promise<void> {
    this.lastReloadAt = this.clock.now()
    const rows = await listPublishedSigningKeys(this.db, this.lastReloadAt)
    const table = new Map<string, VerificationKey>()
    const jwks: JWK[] = []
    for (const row of rows) {
      const publicJwk = JSON.parse(row.public_jwk) as JWK
      table.set(row.kid, {
        kid: row.kid,
        algorithm: row.algorithm as SigningAlgorithm,
        key: createPublicKey({ key: publicJwk as JsonWebKey, format: 'jwk' }),
      })
      jwks.push(publicJwk)
    }
    if (this.hmacKey) table.set(this.hmacKey.kid, this.hmacKey)
    this.verificationKeys = table
    this.publishedJwks = jwks
    this.signer = await this.pickSigner(rows)
  }

  /** Reloads if the last reload is older than the cooldown; called when a token names an unknown kid. */
  async reloadIfCoolingDownEnded(): Promise<boolean> {
    if (this.clock.now() - this.lastReloadAt < UNKNOWN_KID_RELOAD_COOLDOWN_MS) return false
    await this.reload()
    return true
  }

  /** The key for a kid, or undefined. The kid is only ever a map key, never a path or query. */
  verificationKey(kid: string): VerificationKey | undefined {
    return this.verificationKeys.get(kid)
  }

  /** The key to sign new tokens with. */
  signingKey(): SigningKey {
    if (!this.signer) throw new Error('no signing key loaded: call initialize() first')
    return this.signer
  }

  /** The public JWK Set: asymmetric public keys only, never an `oct` key. */
  jwks(): { keys: JWK[] } {
    return { keys: this.publishedJwks }
  }

  private canSign(row: SigningKeyRow): boolean {
    return (
      row.algorithm === this.config.jwtAlgorithm &&
      row.retired_at === null &&
      row.not_before <= this.clock.now()
    )
  }

  private async pickSigner(rows: SigningKeyRow[]): Promise<SigningKey | undefined> {
    if (this.hmacKey) {
      return {
        kid: this.hmacKey.kid,
        algorithm: 'HS256',
        privateKey: Buffer.from(this.config.hs256Secret ?? '', 'utf8'),
      }
    }
    // The newest key that may sign wins, so every instance converges on the same one.
    const row = rows.filter((candidate) => this.canSign(candidate)).at(-1)
    if (!row) return undefined
    if (this.signer?.kid === row.kid) return this.signer
    const privateJwk = JSON.parse(this.box.open(row.private_jwk_encrypted)) as JWK
    const privateKey = (await importJWK(privateJwk, row.algorithm)) as webcrypto.CryptoKey
    return { kid: row.kid, algorithm: row.algorithm as SigningAlgorithm, privateKey }
  }
}
