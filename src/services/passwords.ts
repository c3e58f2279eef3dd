import { hash as argon2Hash, parseOptions, verify as argon2Verify } from '@node-rs/argon2'
import bcrypt from 'bcryptjs'
import { randomToken } from './random.ts'
import { Semaphore } from './semaphore.ts'
import { assertPasswordSize, MAX_PASSWORD_BYTES } from './password-policy.ts'

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
// Cost 04-14 only: bcryptjs throws on other costs (a corrupt stored hash must fail the login, not 500), and
// bcryptjs runs on the main thread, so an imported hash of cost 31 must not cost days of CPU per attempt.
// passlib's default is 12.
const BCRYPT_PREFIX = /^\$2[aby]\$(0[4-9]|1[0-4])\$[./A-Za-z0-9]{53}$/
// Bounds for imported argon2 hashes, for the same reason: the stored parameters decide the cost of a check.
const ARGON2_MAX = { memoryCost: 262_144, timeCost: 16, parallelism: 8 }

/** True for the bcrypt hashes Python's passlib writes ($2a$, $2b$, $2y$). */
export function isBcryptHash(storedHash: string): boolean {
  return BCRYPT_PREFIX.test(storedHash)
}

/** True for an argon2 PHC string this server can verify, with parameters it is willing to pay for. */
export function isArgon2Hash(storedHash: string): boolean {
  if (!storedHash.startsWith('$argon2')) return false
  try {
    const parsed = parseOptions(storedHash)
    return (
      parsed.memoryCost <= ARGON2_MAX.memoryCost &&
      parsed.timeCost <= ARGON2_MAX.timeCost &&
      parsed.parallelism <= ARGON2_MAX.parallelism
    )
  } catch {
    return false
  }
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
        // Algorithm is a const enum, erased at compile time: compare its number.
        Number(parsed.algorithm) === ARGON2ID &&
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
    const normalized = password.normalize('NFKC')
    // NFKC can expand the input many times over; the cap holds for what is actually hashed.
    if (Buffer.byteLength(normalized, 'utf8') > MAX_PASSWORD_BYTES) return { ok: false, needsRehash: false }
    // A corrupt stored hash makes argon2 throw "Decoding failed"; that is a failed login, not a 500.
    const check = (candidate: string) =>
      semaphore.run(() => argon2Verify(storedHash, candidate).catch(() => false))
    if (await check(normalized)) return { ok: true, needsRehash: !isCurrent(storedHash) }
    // Hashes imported from other systems were made from the raw input; once it matches, it is rehashed
    // from the normalized form, which is what every later login compares.
    if (normalized !== password && (await check(password))) return { ok: true, needsRehash: true }
    return { ok: false, needsRehash: false }
  }

  // Mirrors verify()'s work for a wrong password, second check included, so timing cannot tell them apart.
  const verifyDummy = async (password: string): Promise<void> => {
    const normalized = password.normalize('NFKC')
    await semaphore.run(() => argon2Verify(dummyHash, normalized))
    if (normalized !== password) await semaphore.run(() => argon2Verify(dummyHash, password))
  }

  return { hash, verify, verifyDummy, semaphore }
}
