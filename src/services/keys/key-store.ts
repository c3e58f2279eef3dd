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
import {
  insertSigningKey,
  listPublishedSigningKeys,
  updateSealedPrivateKey,
  type SigningKeyRow,
} from '../../db/keys.ts'
import type { Database, Executor } from '../../db/schema.ts'
import type { Clock } from '../clock.ts'
import type { SecretBox } from './encryption.ts'
import { ensureFirstSigningKey } from './first-key.ts'
import { generateSigningKey, type AsymmetricAlgorithm, type GeneratedKey } from './generate.ts'
import { isPublished, maySign, pickSigningRow } from './schedule.ts'

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

/**
 * Holds the verification table (kid → one algorithm and key) and the signing candidates, loaded from
 * the database. Which candidate signs is decided at signing time from the clock, so every instance
 * switches to a pre-published key at the same moment without waiting for a reload.
 */
export class KeyStore {
  private verificationKeys = new Map<string, VerificationKey>()
  private rows: SigningKeyRow[] = []
  private privateKeys = new Map<string, webcrypto.CryptoKey>()
  private lastReloadAt = Number.NEGATIVE_INFINITY
  private readonly hmacKey: VerificationKey | undefined

  constructor(
    private readonly db: Kysely<Database>,
    private readonly config: Config,
    private readonly clock: Clock,
    private readonly box: SecretBox,
  ) {
    if (config.jwtAlgorithm === 'HS256' && config.hs256Secret) {
      const secret = Buffer.from(config.hs256Secret, 'utf8')
      // The kid names the secret without revealing it, so a changed secret gets a new kid.
      const kid = `hs256-${createHash('sha256').update(secret).digest('base64url').slice(0, 16)}`
      this.hmacKey = { kid, algorithm: 'HS256', key: createSecretKey(secret) }
    }
  }

  /**
   * Re-seals keys still sealed with GATEHOUSE_SECRET_PREVIOUS, makes sure a key for the configured
   * algorithm can sign now, and loads everything published.
   */
  async initialize(): Promise<void> {
    const now = this.clock.now()
    const rows = await listPublishedSigningKeys(this.db, now)
    for (const row of rows) {
      if (this.box.isSealedWithPrevious(row.private_jwk_encrypted)) {
        await updateSealedPrivateKey(
          this.db,
          row.kid,
          this.box.seal(this.box.open(row.private_jwk_encrypted)),
        )
      }
    }
    if (this.config.jwtAlgorithm !== 'HS256' && !pickSigningRow(rows, this.config.jwtAlgorithm, now)) {
      await ensureFirstSigningKey({
        db: this.db,
        algorithm: this.config.jwtAlgorithm,
        clock: this.clock,
        store: (key, notBefore, executor) => this.storeKey(key, notBefore, executor),
      })
    }
    await this.reload()
  }

  /** Stores a key (generated or imported) that starts signing at `notBefore`, in `executor`'s transaction. */
  async storeKey(key: GeneratedKey, notBefore: number, executor: Executor = this.db): Promise<void> {
    await insertSigningKey(executor, {
      kid: key.kid,
      algorithm: key.algorithm,
      public_jwk: JSON.stringify(key.publicJwk),
      private_jwk_encrypted: this.box.seal(JSON.stringify(key.privateJwk)),
      created_at: this.clock.now(),
      not_before: notBefore,
      retired_at: null,
      published_until: null,
    })
  }

  /** Creates a fresh key for an algorithm that starts signing at `notBefore`; returns its kid. */
  async createKey(
    algorithm: AsymmetricAlgorithm,
    notBefore: number,
    executor: Executor = this.db,
  ): Promise<string> {
    const key = await generateSigningKey(algorithm)
    await this.storeKey(key, notBefore, executor)
    return key.kid
  }

  /** Rebuilds the verification table and the signing candidates from what the database holds now. */
  async reload(): Promise<void> {
    const now = this.clock.now()
    this.lastReloadAt = now
    const rows = await listPublishedSigningKeys(this.db, now)
    const table = new Map<string, VerificationKey>()
    const privateKeys = new Map<string, webcrypto.CryptoKey>()
    for (const row of rows) {
      const publicJwk = JSON.parse(row.public_jwk) as JsonWebKey
      table.set(row.kid, {
        kid: row.kid,
        algorithm: row.algorithm as SigningAlgorithm,
        key: createPublicKey({ key: publicJwk, format: 'jwk' }),
      })
      const mayStillSign =
        row.algorithm === this.config.jwtAlgorithm && (row.retired_at === null || row.retired_at > now)
      if (mayStillSign)
        privateKeys.set(row.kid, this.privateKeys.get(row.kid) ?? (await this.openPrivateKey(row)))
    }
    if (this.hmacKey) table.set(this.hmacKey.kid, this.hmacKey)
    this.verificationKeys = table
    this.rows = rows
    this.privateKeys = privateKeys
  }

  /** Reloads if the last reload is older than the cooldown; called when a token names an unknown kid. */
  async reloadIfCoolingDownEnded(): Promise<boolean> {
    if (this.clock.now() - this.lastReloadAt < UNKNOWN_KID_RELOAD_COOLDOWN_MS) return false
    await this.reload()
    return true
  }

  /** The key for a kid, or undefined. The kid is only ever a map key, never a path or query. */
  verificationKey(kid: string): VerificationKey | undefined {
    const key = this.verificationKeys.get(kid)
    if (!key || key === this.hmacKey) return key
    // A key whose publication window ended since the last reload must not verify anything more.
    const row = this.rows.find((candidate) => candidate.kid === kid)
    return row && isPublished(row, this.clock.now()) ? key : undefined
  }

  /** The key to sign new tokens with at this moment. */
  signingKey(): SigningKey {
    if (this.hmacKey) {
      return {
        kid: this.hmacKey.kid,
        algorithm: 'HS256',
        privateKey: Buffer.from(this.config.hs256Secret ?? '', 'utf8'),
      }
    }
    const row = pickSigningRow(this.rows, this.config.jwtAlgorithm, this.clock.now())
    const privateKey = row && this.privateKeys.get(row.kid)
    if (!row || !privateKey) throw new Error('no signing key is loaded for the configured algorithm')
    return { kid: row.kid, algorithm: row.algorithm as SigningAlgorithm, privateKey }
  }

  /** The kid that signs at this moment (undefined in HS256 mode before keys load). */
  signingKid(): string | undefined {
    return this.hmacKey?.kid ?? pickSigningRow(this.rows, this.config.jwtAlgorithm, this.clock.now())?.kid
  }

  /** The public JWK Set: published asymmetric public keys only, never an `oct` key. */
  jwks(): { keys: JWK[] } {
    const now = this.clock.now()
    return {
      keys: this.rows.filter((row) => isPublished(row, now)).map((row) => JSON.parse(row.public_jwk) as JWK),
    }
  }

  /** The loaded rows, for the rotation policy and the CLI. */
  loadedRows(): readonly SigningKeyRow[] {
    return this.rows
  }

  /** True when a loaded key for the configured algorithm may sign at `now`. */
  canSignAt(now: number): boolean {
    return this.rows.some(
      (row) => row.algorithm === this.config.jwtAlgorithm && maySign(row, now) && isPublished(row, now),
    )
  }

  private async openPrivateKey(row: SigningKeyRow): Promise<webcrypto.CryptoKey> {
    const privateJwk = JSON.parse(this.box.open(row.private_jwk_encrypted)) as JWK
    return (await importJWK(privateJwk, row.algorithm)) as webcrypto.CryptoKey
  }
}
