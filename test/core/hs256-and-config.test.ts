import { createHmac } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config.ts'
import { getWithToken, loginToken, registerUser } from '../helpers/api.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { decodeToken, encodeSegment, expectInvalidToken } from '../helpers/tokens.ts'
import { createCoreApp } from './app.ts'

const HS256_SECRET = 'hs256-compatibility-secret-0123456789abcdef'

describe.each(DIALECTS)('HS256 compatibility mode on %s', (dialect) => {
  const testApp = useTestApp(() =>
    createCoreApp({ dialect, env: { GATEHOUSE_JWT_ALG: 'HS256', GATEHOUSE_HS256_SECRET: HS256_SECRET } }),
  )
  beforeAll(async () => {
    await registerUser(testApp.app, 'hs-user')
  })

  it('logs in with an HS256 at+jwt token that the protected routes accept', async () => {
    const token = await loginToken(testApp.app, 'hs-user')
    expect(decodeToken(token).header).toMatchObject({ alg: 'HS256', typ: 'at+jwt' })
    expect((await getWithToken(testApp.app, '/profile', token)).json()).toMatchObject({ username: 'hs-user' })
  })

  it('never publishes the shared secret in the JWKS', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })
    expect(response.statusCode).toBe(200)
    const { keys } = response.json<{ keys: Array<Record<string, unknown>> }>()
    for (const key of keys) {
      expect(key.kty).not.toBe('oct')
      expect(key).not.toHaveProperty('k')
    }
    expect(response.body).not.toContain(Buffer.from(HS256_SECRET).toString('base64url'))
  })

  it('refuses a token signed with another secret, and the seed’s own "secret-key"', async () => {
    const token = await loginToken(testApp.app, 'hs-user')
    const [header, payload] = token.split('.') as [string, string]
    for (const secret of ['secret-key', `${HS256_SECRET}!`]) {
      const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url')
      expectInvalidToken(await getWithToken(testApp.app, '/profile', `${header}.${payload}.${signature}`))
    }
  })

  it('refuses alg none even in HS256 mode', async () => {
    const token = await loginToken(testApp.app, 'hs-user')
    const { header, payload } = decodeToken(token)
    expectInvalidToken(
      await getWithToken(
        testApp.app,
        '/profile',
        `${encodeSegment({ ...header, alg: 'none' })}.${encodeSegment(payload)}.`,
      ),
    )
  })
})

describe('loadConfig', () => {
  const base = { GATEHOUSE_DATABASE_URL: 'sqlite::memory:', GATEHOUSE_LOG_LEVEL: 'silent' }
  const problemsOf = (env: Record<string, string>): string[] => {
    try {
      loadConfig({ ...base, ...env })
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError)
      return (error as ConfigError).problems
    }
    throw new Error('expected loadConfig to throw a ConfigError')
  }

  it('in production without GATEHOUSE_SECRET or GATEHOUSE_ISSUER throws one error naming both', () => {
    const problems = problemsOf({ NODE_ENV: 'production' })
    expect(problems).toHaveLength(2)
    expect(problems.some((problem) => problem.startsWith('GATEHOUSE_SECRET'))).toBe(true)
    expect(problems.some((problem) => problem.startsWith('GATEHOUSE_ISSUER'))).toBe(true)
  })

  it('lists every problem in the one message', () => {
    const problems = problemsOf({ NODE_ENV: 'production', PORT: 'eighty', GATEHOUSE_JWT_ALG: 'HS256' })
    expect(problems.length).toBeGreaterThanOrEqual(4)
    try {
      loadConfig({ ...base, NODE_ENV: 'production', PORT: 'eighty' })
    } catch (error) {
      for (const name of ['PORT', 'GATEHOUSE_SECRET', 'GATEHOUSE_ISSUER'])
        expect((error as Error).message).toContain(name)
    }
  })

  it('starts in production with a long secret and an issuer', () => {
    const config = loadConfig({
      ...base,
      NODE_ENV: 'production',
      GATEHOUSE_SECRET: 'p'.repeat(32),
      GATEHOUSE_ISSUER: 'https://auth.example.com',
    })
    expect(config).toMatchObject({
      production: true,
      issuer: 'https://auth.example.com',
      secretGenerated: false,
    })
    expect(Object.isFrozen(config)).toBe(true)
    expect(Object.isFrozen(config.argon2)).toBe(true)
  })

  it.each([
    ['a 31-byte secret in development', { GATEHOUSE_SECRET: 's'.repeat(31) }],
    [
      'a 31-byte secret in production',
      { NODE_ENV: 'production', GATEHOUSE_SECRET: 's'.repeat(31), GATEHOUSE_ISSUER: 'https://a.example' },
    ],
    [
      'a short GATEHOUSE_SECRET_PREVIOUS',
      { GATEHOUSE_SECRET: 's'.repeat(32), GATEHOUSE_SECRET_PREVIOUS: 'old' },
    ],
  ])('refuses %s', (_label, env) => {
    expect(
      problemsOf(env).some((problem) =>
        /GATEHOUSE_SECRET(_PREVIOUS)?: must be at least 32 bytes/.test(problem),
      ),
    ).toBe(true)
  })

  it.each([
    ['no secret', {}],
    ['a 31-byte secret', { GATEHOUSE_HS256_SECRET: 'h'.repeat(31) }],
  ])('refuses HS256 with %s', (_label, env) => {
    const problems = problemsOf({ GATEHOUSE_SECRET: 's'.repeat(32), GATEHOUSE_JWT_ALG: 'HS256', ...env })
    expect(problems.some((problem) => problem.startsWith('GATEHOUSE_HS256_SECRET'))).toBe(true)
  })

  it('counts bytes, not characters: 11 three-byte characters are a 33-byte secret', () => {
    expect(loadConfig({ ...base, GATEHOUSE_SECRET: '秘'.repeat(11) }).secret).toBe('秘'.repeat(11))
  })

  it('uses the seed defaults when nothing else is set', () => {
    const config = loadConfig({ ...base, GATEHOUSE_SECRET: 's'.repeat(32) })
    expect(config).toMatchObject({
      port: 8000,
      host: '127.0.0.1',
      issuer: 'http://localhost:8000',
      audience: 'gatehouse',
      jwtAlgorithm: 'ES256',
      accessTokenTtlSeconds: 1800,
      clockSkewSeconds: 30,
      argon2: { memoryKib: 19_456, iterations: 2, parallelism: 1 },
    })
  })

  it('bases links on the issuer unless GATEHOUSE_PUBLIC_URL is set, without a trailing slash', () => {
    const secret = { GATEHOUSE_SECRET: 's'.repeat(32) }
    expect(loadConfig({ ...base, ...secret, GATEHOUSE_ISSUER: 'https://id.example' }).publicUrl).toBe(
      'https://id.example',
    )
    const config = loadConfig({ ...base, ...secret, GATEHOUSE_PUBLIC_URL: 'https://app.example/auth/' })
    expect(config.publicUrl).toBe('https://app.example/auth')
    expect(problemsOf({ ...secret, GATEHOUSE_PUBLIC_URL: 'not a url' })[0]).toMatch(/^GATEHOUSE_PUBLIC_URL/)
  })

  it('refuses one admin variable without the other', () => {
    expect(problemsOf({ GATEHOUSE_SECRET: 's'.repeat(32), GATEHOUSE_ADMIN_USERNAME: 'root' }).length).toBe(1)
  })
})
