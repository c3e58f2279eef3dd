import { hash as argon2Hash, parseOptions, verify as argon2Verify } from '@node-rs/argon2'
import bcrypt from 'bcryptjs'
import { randomToken } from './random.ts'
import { Semaphore } from './semaphore.ts'
import { assertPasswordSize } from './password-policy.ts'

/** argon2id cost parameters. */
export interface Argon2Parameters {
  memoryKib: number
  iterations: number
  parallelism: number
}

/** The outcome of checking a password against a stored hash. */
export interface PasswordCheck {
  ok: boolean
  /** True when the hash is legacy bcrypt or argon2id with other parameters: store a fresh one. */
  needsRehash: boolean
}

/** Hashes and verifies passwords, never more than `concurrency` at once. */
export interface PasswordHasher {
  hash(password: string): Promise<string>
  verify(storedHash: string, password: string): Promise<PasswordCheck>
  /** The same work as a real verify, for logins of users that do not exist. */
  verifyDummy(password: string): Promise<void>
  readonly semaphore: Semaphore
}

const ARGON2ID = 2
// Cost 04-31 only: bcryptjs throws on any other cost, and a corrupt stored hash must fail the login, not 500.
const BCRYPT_PREFIX = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/

/** True for the bcrypt hashes Python's passlib writes ($2a$, $2b$, $2y$). */
export function isBcryptHash(storedHash: string): boolean {
  return BCRYPT_PREFIX.test(storedHash)
}

/** True for an argon2 PHC string this server can verify. */
export function isArgon2Hash(storedHash: string): boolean {
  return storedHash.startsWith('$argon2')
}

/** Builds the hasher; the dummy hash uses the current parameters so unknown users cost the same. */
export async function createPasswordHasher(
  parameters: Argon2Parameters,
  options: { concurrency: number; queueMax: number },
): Promise<PasswordHasher> {
  const semaphore = new Semaphore(options.concurrency, options.queueMax)
  const argon2Options = {
    memoryCost: parameters.memoryKib,
    timeCost: parameters.iterations,
    parallelism: parameters.parallelism,
  }
  const hash = (password: string) => semaphore.run(() => argon2Hash(password, argon2Options))
  const dummyHash = await argon2Hash(randomToken(32), argon2Options)

  const isCurrent = (storedHash: string): boolean => {
    try {
      const parsed = parseOptions(storedHash)
      return (
        parsed.algorithm === ARGON2ID &&
        parsed.memoryCost === parameters.memoryKib &&
        parsed.timeCost === parameters.iterations &&
        parsed.parallelism === parameters.parallelism
      )
    } catch {
      return false
    }
  }

  const verify = async (storedHash: string, password: string): Promise<PasswordCheck> => {
    assertPasswordSize(password)
    if (isBcryptHash(storedHash)) {
      // passlib hashed the raw input, so compare it as typed; $2y$ is the same algorithm as $2b$.
      const ok = await semaphore.run(() => bcrypt.compare(password, storedHash.replace(/^\$2y\$/, '$2b$')))
      return { ok, needsRehash: ok }
    }
    if (!isArgon2Hash(storedHash)) return { ok: false, needsRehash: false }
    // A corrupt stored hash makes argon2 throw "Decoding failed"; that is a failed login, not a 500.
    const ok = await semaphore.run(() =>
      argon2Verify(storedHash, password.normalize('NFKC')).catch(() => false),
    )
    return { ok, needsRehash: ok && !isCurrent(storedHash) }
  }

  const verifyDummy = async (password: string): Promise<void> => {
    await semaphore.run(() => argon2Verify(dummyHash, password.normalize('NFKC')))
  }

  return { hash, verify, verifyDummy, semaphore }
}
