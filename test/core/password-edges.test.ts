import { hash as argon2Hash } from '@node-rs/argon2'
import bcrypt from 'bcryptjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isArgon2Hash, isBcryptHash } from '../../src/services/passwords.ts'
import { usernameSkeleton } from '../../src/services/usernames.ts'
import { createTestApp, type TestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'

describe('which stored hashes are worth checking', () => {
  it('refuses bcrypt costs above 14 and argon2 parameters past the bounds', async () => {
    const cost12 = await bcrypt.hash('x', 4).then((hash) => hash.replace('$04$', '$12$'))
    expect(isBcryptHash(cost12)).toBe(true)
    expect(isBcryptHash(cost12.replace('$12$', '$15$'))).toBe(false)
    expect(isBcryptHash(cost12.replace('$12$', '$31$'))).toBe(false)
    expect(isArgon2Hash(await argon2Hash('x', { memoryCost: 64, timeCost: 1 }))).toBe(true)
    expect(isArgon2Hash(await argon2Hash('x', { memoryCost: 64, timeCost: 17 }))).toBe(false)
    expect(isArgon2Hash('$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHQ$aGFzaA')).toBe(false)
    expect(isArgon2Hash('$argon2id$garbage')).toBe(false)
  })
})

describe.each(DIALECTS)('password normalization edges on %s', (dialect) => {
  let testApp: TestApp
  beforeAll(async () => {
    testApp = await createTestApp({ dialect })
  })
  afterAll(async () => {
    await testApp.close()
  })

  it('refuses a new password whose NFKC form passes the byte cap', async () => {
    // 341 × U+FDFA is 1023 bytes as typed and about 11 KB after NFKC.
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/register',
      payload: { username: 'expander', password: '\uFDFA'.repeat(341) },
    })
    expect(response.statusCode).toBe(422)
    expect(response.json()).toMatchObject({ code: 'weak_password' })
  })

  it('logs in an imported argon2 user whose hash was made from the raw, unnormalized password', async () => {
    const { app } = testApp
    const typed = 'ﬁnal-password-Ａ1' // a ligature and a full-width letter: NFKC changes both
    expect(typed.normalize('NFKC')).not.toBe(typed)
    const now = Date.now()
    await app.services.db
      .insertInto('users')
      .values({
        id: 'imported-argon2',
        username: 'imported',
        username_canonical: 'imported',
        username_skeleton: usernameSkeleton('imported'),
        password_hash: await argon2Hash(typed, { memoryCost: 64, timeCost: 1 }),
        role: 'user',
        created_at: now,
        updated_at: now,
        disabled_at: null,
        last_login_at: null,
      })
      .execute()
    const login = () =>
      app.inject({ method: 'POST', url: '/login', payload: { username: 'imported', password: typed } })
    expect((await login()).statusCode).toBe(200)
    const stored = await app.services.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', 'imported-argon2')
      .executeTakeFirstOrThrow()
    expect(stored.password_hash).toMatch(/^\$argon2id\$/)
    // Rehashed from the normalized form: the same typed password keeps working.
    expect((await login()).statusCode).toBe(200)
  })
})
