import type { FastifyInstance } from 'fastify'
import { decodeProtectedHeader, exportPKCS8, generateKeyPair } from 'jose'
import { generateKeyPairSync } from 'node:crypto'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parsePrivateKey } from '../../src/services/keys/import.ts'
import { retireKeyNow, rotateNow } from '../../src/services/keys/rotation.ts'
import { KEY_PREPUBLICATION_MS } from '../../src/services/keys/schedule.ts'
import { login, profileStatus, registerUser } from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'
import { ManualClock } from '../helpers/clock.ts'
import { TEST_SECRET } from '../helpers/config.ts'
import { createTestDatabase, TEST_DATABASE_URL } from '../helpers/databases.ts'
import { defined } from '../helpers/defined.ts'
import { removeDirectory, temporaryDirectory } from '../helpers/files.ts'
import { closedAfterEach } from '../helpers/hooks.ts'
import { skipWithout } from '../helpers/services.ts'
import { decodeSegment, encodeSegment, kidOf } from '../helpers/tokens.ts'

describe.skipIf(skipWithout(['postgres'], 'two instances on one PostgreSQL database'))(
  'two instances on one PostgreSQL database',
  () => {
    // Closed newest first: a second instance goes before the first, which owns the database.
    const fresh = closedAfterEach()

    it('rotates exactly once and both instances serve and sign with the new key', async () => {
      const clock = new ManualClock()
      const env = { GATEHOUSE_KEY_ROTATION_INTERVAL: '3600' }
      const first = await fresh.app({ dialect: 'postgres', clock, env })
      const second = await fresh.app({ clock, env, database: first.database })
      await registerUser(first.app, 'twin')
      clock.advance(3600 * 1000 - KEY_PREPUBLICATION_MS)
      const outcomes = await Promise.all([first.app.runKeyMaintenance(), second.app.runKeyMaintenance()])
      expect(outcomes.filter((outcome) => outcome.createdKid !== undefined)).toHaveLength(1)
      const keys = await first.app.services.db.selectFrom('signing_keys').select('kid').execute()
      expect(keys).toHaveLength(2)
      const newKid = defined(outcomes.find((outcome) => outcome.createdKid)).createdKid
      // The instance that lost the lease may have reloaded before the key was stored; its next pass picks it up.
      const nextPass = await Promise.all([first.app.runKeyMaintenance(), second.app.runKeyMaintenance()])
      expect(nextPass.every((outcome) => outcome.createdKid === undefined)).toBe(true)
      for (const instance of [first, second]) {
        const jwks = (await instance.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<{
          keys: Array<{ kid: string }>
        }>()
        expect(jwks.keys.map((key) => key.kid)).toContain(newKid)
      }
      clock.advance(KEY_PREPUBLICATION_MS)
      const fromSecond = await login(second.app, 'twin')
      expect(kidOf(fromSecond.access_token)).toBe(newKid)
      expect(await profileStatus(first.app, fromSecond.access_token)).toBe(200)
    })

    it('picks up a key another instance created when a token names it, with a reload cooldown', async () => {
      const first = await fresh.app({ dialect: 'postgres' })
      const second = await fresh.app({ clock: first.clock, database: first.database })
      await registerUser(first.app, 'twin')
      first.clock.advanceSeconds(10)
      await rotateNow(first.app.keyRotation)
      const token = (await login(first.app, 'twin')).access_token
      let reloads = 0
      const keys = second.app.services.keys
      const reload = keys.reload.bind(keys)
      keys.reload = async () => {
        reloads += 1
        await reload()
      }
      expect(await profileStatus(second.app, token)).toBe(200)
      expect(reloads).toBe(1)
      // Forged kids right after cannot make this instance reload again within the cooldown.
      const [header, payload, signature] = token.split('.') as [string, string, string]
      const forgedHeader = encodeSegment({ ...decodeSegment(header), kid: 'forged' })
      for (let attempt = 0; attempt < 5; attempt += 1) {
        expect(await profileStatus(second.app, `${forgedHeader}.${payload}.${signature}`)).toBe(401)
      }
      expect(reloads).toBe(1)
    })

    it('refuses a retired key on the other instance at once, before it reloads', async () => {
      const first = await fresh.app({ dialect: 'postgres' })
      const second = await fresh.app({ clock: first.clock, database: first.database })
      await registerUser(first.app, 'twin')
      const token = (await login(first.app, 'twin')).access_token
      expect(await profileStatus(second.app, token)).toBe(200)
      await retireKeyNow(first.app.keyRotation, defined(kidOf(token)))
      expect(await profileStatus(second.app, token)).toBe(401)
    })
  },
)

describe('rotating GATEHOUSE_SECRET', () => {
  const folder = temporaryDirectory('secret')
  afterEach(() => removeDirectory(folder))
  /** The signing key's private half as stored, sealed under the app's secret. */
  const sealedKey = async (app: FastifyInstance) =>
    (
      await app.services.db
        .selectFrom('signing_keys')
        .select('private_jwk_encrypted')
        .executeTakeFirstOrThrow()
    ).private_jwk_encrypted

  it('opens keys sealed with the previous secret, re-seals them, and keeps tokens valid', async () => {
    const url = `sqlite:${join(folder, 'g.db')}`
    const newSecret = 'a-brand-new-secret-that-is-long-enough-42'
    const original = await createTestApp({ env: { GATEHOUSE_DATABASE_URL: url } })
    await registerUser(original.app, 'keeper')
    const token = (await login(original.app, 'keeper')).access_token
    const sealedBefore = await sealedKey(original.app)
    await original.close()

    await expect(
      createTestApp({ env: { GATEHOUSE_DATABASE_URL: url, GATEHOUSE_SECRET: newSecret } }),
    ).rejects.toThrow()

    const rotated = await createTestApp({
      clock: original.clock,
      env: {
        GATEHOUSE_DATABASE_URL: url,
        GATEHOUSE_SECRET: newSecret,
        GATEHOUSE_SECRET_PREVIOUS: TEST_SECRET,
      },
    })
    expect(await profileStatus(rotated.app, token)).toBe(200)
    const sealedAfter = await sealedKey(rotated.app)
    expect(sealedAfter).not.toBe(sealedBefore)
    await rotated.close()

    const onlyNew = await createTestApp({
      clock: original.clock,
      env: { GATEHOUSE_DATABASE_URL: url, GATEHOUSE_SECRET: newSecret },
    })
    expect(await profileStatus(onlyNew.app, token)).toBe(200)
    expect((await login(onlyNew.app, 'keeper')).access_token).toBeTruthy()
    await onlyNew.close()
  })
})

describe.each(['ES256', 'RS256'] as const)('signing with %s', (algorithm) => {
  it('binds the key to its algorithm and publishes only the public half', async () => {
    const testApp = await createTestApp({ env: { GATEHOUSE_JWT_ALG: algorithm } })
    try {
      await registerUser(testApp.app, 'algo')
      const token = (await login(testApp.app, 'algo')).access_token
      expect(decodeProtectedHeader(token).alg).toBe(algorithm)
      expect(await profileStatus(testApp.app, token)).toBe(200)
      const [key] = (await testApp.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<{
        keys: Array<Record<string, string>>
      }>().keys
      expect(key).toMatchObject({ alg: algorithm, use: 'sig', kty: algorithm === 'ES256' ? 'EC' : 'RSA' })
      for (const privateMember of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'])
        expect(key).not.toHaveProperty(privateMember)
      if (algorithm === 'RS256') expect(Buffer.from(defined(key?.n), 'base64url').length * 8).toBe(3072)
    } finally {
      await testApp.close()
    }
  })
})

describe('importing a key', () => {
  it('accepts a PEM key that fits its algorithm and refuses one that does not', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true })
    const pem = await exportPKCS8(privateKey)
    const imported = await parsePrivateKey(pem, 'ES256')
    expect(imported.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: imported.kid })
    expect(imported.publicJwk).not.toHaveProperty('d')
    await expect(parsePrivateKey(pem, 'EdDSA')).rejects.toThrow(/cannot be used for EdDSA/)
    await expect(parsePrivateKey('not a key', 'ES256')).rejects.toThrow(/not a private key/)
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      format: 'pem',
      type: 'pkcs8',
    })
    await expect(parsePrivateKey(small.toString(), 'RS256')).rejects.toThrow(/2048/)
  })
})

describe('test isolation', () => {
  it('gives each PostgreSQL test app its own schema', async () => {
    if (!TEST_DATABASE_URL) return
    const one = await createTestDatabase('postgres')
    const two = await createTestDatabase('postgres')
    expect(one.schema).not.toBe(two.schema)
    await Promise.all([one.close(), two.close()])
  })
})
