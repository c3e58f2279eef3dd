import { verify as argon2Verify } from '@node-rs/argon2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { BCRYPT_VECTORS, FULLWIDTH_VECTOR, type BcryptVector } from '../fixtures/bcrypt-vectors.ts'
import { createCoreApp, findUserRow } from './support.ts'
import { usernameSkeleton } from '../../src/services/usernames.ts'

// A seed database migrated as it is: users whose password column holds what passlib wrote. They must
// log in with the password they always used, and leave with an argon2id hash.

describe.each(DIALECTS)('legacy passlib bcrypt hashes on %s', (dialect) => {
  let testApp: TestApp
  let counter = 0
  beforeAll(async () => {
    testApp = await createCoreApp({ dialect })
  })
  afterAll(async () => {
    await testApp.close()
  })

  /** Inserts a user row the way a seed-database import would, and returns its id and name. */
  const insertLegacyUser = async (hash: string) => {
    counter += 1
    const username = `legacy-${counter}`
    const id = `00000000-0000-7000-8000-${String(counter).padStart(12, '0')}`
    const now = testApp.clock.now()
    await testApp.app.services.db
      .insertInto('users')
      .values({
        id,
        username,
        username_canonical: username,
        username_skeleton: usernameSkeleton(username),
        password_hash: hash,
        role: 'user',
        created_at: now,
        updated_at: now,
        disabled_at: null,
        last_login_at: null,
      })
      .execute()
    return { id, username }
  }
  const login = (username: string, password: string) =>
    testApp.app.inject({ method: 'POST', url: '/login', payload: { username, password } })

  it.each(BCRYPT_VECTORS.map((vector) => [vector.name, vector] as const))(
    '%s logs in and is upgraded to argon2id',
    async (_name, vector: BcryptVector) => {
      const { id, username } = await insertLegacyUser(vector.hash)
      const response = await login(username, vector.password)
      expect(response.statusCode, response.body).toBe(200)

      const row = await findUserRow(testApp.app, id)
      expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=64,t=1,p=1\$/)
      expect(await argon2Verify(row.password_hash, vector.password.normalize('NFKC'))).toBe(true)
      // The upgraded hash keeps working, and the legacy one is gone for good.
      expect((await login(username, vector.password)).statusCode).toBe(200)
      expect((await findUserRow(testApp.app, id)).password_hash).toBe(row.password_hash)
    },
  )

  it.each(BCRYPT_VECTORS.map((vector) => [vector.name, vector] as const))(
    '%s refuses a wrong password with the usual 401 and keeps the hash',
    async (_name, vector: BcryptVector) => {
      const { id, username } = await insertLegacyUser(vector.hash)
      for (const wrong of [
        `${vector.password}x`,
        vector.password.toUpperCase(),
        vector.password.slice(0, -1),
      ]) {
        const response = await login(username, wrong)
        expect(response.statusCode).toBe(401)
        expect(response.headers['www-authenticate']).toBe('Bearer')
        expect(response.json()).toEqual({
          detail: 'Incorrect username or password',
          code: 'invalid_credentials',
        })
      }
      expect((await findUserRow(testApp.app, id)).password_hash).toBe(vector.hash)
    },
  )

  it('compares byte-exact: passlib hashed the typed form, so a normalized form does not match', async () => {
    const { id, username } = await insertLegacyUser(FULLWIDTH_VECTOR.hash)
    expect((await login(username, FULLWIDTH_VECTOR.password.normalize('NFKC'))).statusCode).toBe(401)
    expect((await findUserRow(testApp.app, id)).password_hash).toBe(FULLWIDTH_VECTOR.hash)
    expect((await login(username, FULLWIDTH_VECTOR.password)).statusCode).toBe(200)
    expect((await findUserRow(testApp.app, id)).password_hash).toMatch(/^\$argon2id\$/)
  })

  it('a disabled legacy user is refused and not upgraded', async () => {
    const vector = BCRYPT_VECTORS[0]!
    const { id, username } = await insertLegacyUser(vector.hash)
    await testApp.app.services.db
      .updateTable('users')
      .set({ disabled_at: testApp.clock.now() })
      .where('id', '=', id)
      .execute()
    expect((await login(username, vector.password)).statusCode).toBe(401)
    expect((await findUserRow(testApp.app, id)).password_hash).toBe(vector.hash)
  })

  it('two parallel logins both succeed and leave exactly one valid argon2id hash', async () => {
    const vector = BCRYPT_VECTORS[0]!
    const { id, username } = await insertLegacyUser(vector.hash)
    const responses = await Promise.all([login(username, vector.password), login(username, vector.password)])
    expect(responses.map((response) => response.statusCode)).toEqual([200, 200])

    const row = await findUserRow(testApp.app, id)
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/)
    expect(await argon2Verify(row.password_hash, vector.password)).toBe(true)
    expect((await login(username, vector.password)).statusCode).toBe(200)
  })

  // Regression: a cost outside 04-31 made bcryptjs throw and a corrupt argon2 string made argon2 throw,
  // so a damaged row answered 500 instead of the usual 401.
  it('treats a truncated or garbled stored hash as a failed login, never a 500', async () => {
    const vector = BCRYPT_VECTORS[0]!
    const garbled = [
      vector.hash.slice(0, 40),
      vector.hash.replace('$2b$', '$2c$'),
      '$2b$99$' + vector.hash.slice(7),
      '$2b$03$' + vector.hash.slice(7),
      '$argon2id$v=19$m=64,t=1,p=1$bad',
      '$argon2id$',
      'plaintext',
      '',
    ]
    for (const hash of garbled) {
      const { username } = await insertLegacyUser(hash)
      expect((await login(username, vector.password)).statusCode).toBe(401)
    }
  })
})
