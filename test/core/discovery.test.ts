import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { getWithToken, loginToken, registerUser } from '../helpers/api.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { defined } from '../helpers/defined.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { decodeToken } from '../helpers/tokens.ts'
import { createCoreApp } from './app.ts'

// Members that only private or symmetric JWKs have (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2).
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

interface OpenApiDocument {
  openapi: string
  paths: Record<
    string,
    Record<string, { security?: unknown; requestBody?: { content: Record<string, { schema: unknown }> } }>
  >
  components: { securitySchemes: Record<string, unknown> }
}

describe.each(DIALECTS)('docs, discovery and health on %s', (dialect) => {
  const testApp = useTestApp(() => createCoreApp({ dialect }))
  beforeAll(async () => {
    await registerUser(testApp.app, 'discovery-user')
  })

  const get = (url: string, headers: Record<string, string> = {}) =>
    testApp.app.inject({ method: 'GET', url, headers })

  it.each(['/docs', '/docs/'])('GET %s serves the Swagger UI page', async (url) => {
    const response = await get(url)
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^text\/html/)
    expect(response.body).toContain('swagger-ui')
  })

  describe('GET /openapi.json', () => {
    let document: OpenApiDocument
    beforeAll(async () => {
      const response = await get('/openapi.json')
      expect(response.statusCode).toBe(200)
      document = response.json<OpenApiDocument>()
    })
    const operation = (path: string, method: string) =>
      defined(document.paths[path]?.[method], `${method.toUpperCase()} ${path} in the document`)
    const requestContent = (path: string) =>
      defined(operation(path, 'post').requestBody, `${path} body`).content

    it('is OpenAPI 3.1', () => {
      expect(document.openapi).toMatch(/^3\.1\.\d+$/)
    })

    it('declares the OAuth2 password scheme with tokenUrl /login, as OAuth2PasswordBearer(tokenUrl="login") did', () => {
      expect(document.components.securitySchemes).toMatchObject({
        OAuth2PasswordBearer: { type: 'oauth2', flows: { password: { tokenUrl: '/login', scopes: {} } } },
      })
    })

    it('lists every seed path', () => {
      for (const path of ['/register', '/login', '/profile', '/token_expiry', '/token-expiry', '/admin/']) {
        expect(Object.keys(document.paths)).toContain(path)
      }
    })

    it('marks the protected routes with the scheme, and leaves /register and /login open', () => {
      for (const [path, method] of [
        ['/profile', 'get'],
        ['/profile', 'put'],
        ['/token_expiry', 'get'],
        ['/admin/', 'get'],
      ] as const) {
        expect(operation(path, method).security, `${method} ${path}`).toEqual([{ OAuth2PasswordBearer: [] }])
      }
      expect(operation('/register', 'post').security).toBeUndefined()
      expect(operation('/login', 'post').security).toBeUndefined()
    })

    it('documents the same schemas that validate: closed bodies, and /login as JSON or the password form', () => {
      const register = defined(requestContent('/register')['application/json']).schema
      expect(register).toMatchObject({
        type: 'object',
        additionalProperties: false,
        required: ['username', 'password'],
      })
      const login = requestContent('/login')
      // multipart/form-data too since issue 16, finding 8 (a browser FormData, as FastAPI accepts).
      expect(Object.keys(login).sort()).toEqual([
        'application/json',
        'application/x-www-form-urlencoded',
        'multipart/form-data',
      ])
      expect(defined(login['application/x-www-form-urlencoded']).schema).toMatchObject({
        properties: { grant_type: { enum: ['password'] } },
      })
    })
  })

  describe('GET /.well-known/jwks.json', () => {
    it('publishes public keys only: no private members and no oct keys', async () => {
      const response = await get('/.well-known/jwks.json')
      expect(response.statusCode).toBe(200)
      expect(response.headers['content-type']).toMatch(/^application\/json/)
      const { keys } = response.json<{ keys: Array<Record<string, unknown>> }>()
      expect(keys.length).toBeGreaterThan(0)
      for (const key of keys) {
        expect(key.kty).not.toBe('oct')
        for (const member of PRIVATE_MEMBERS) expect(key, `member ${member}`).not.toHaveProperty(member)
        expect(key).toMatchObject({ use: 'sig' })
        expect(typeof key.kid).toBe('string')
        expect(typeof key.alg).toBe('string')
      }
    })

    it('may be cached, and answers 304 to a matching If-None-Match', async () => {
      const response = await get('/.well-known/jwks.json')
      const cacheControl = response.headers['cache-control'] as string
      expect(cacheControl).toMatch(/\bpublic\b/)
      expect(Number(/max-age=(\d+)/.exec(cacheControl)?.[1])).toBeGreaterThan(0)
      expect(cacheControl).not.toMatch(/no-store/)
      const etag = response.headers.etag as string
      expect(etag).toBeTruthy()
      expect((await get('/.well-known/jwks.json', { 'if-none-match': etag })).statusCode).toBe(304)
    })

    it('verifies the tokens the server issues, as a resource server would', async () => {
      const token = await loginToken(testApp.app, 'discovery-user')
      const jwks = (await get('/.well-known/jwks.json')).json<JSONWebKeySet>()
      const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
        issuer: 'http://gatehouse.test',
        audience: 'gatehouse',
        typ: 'at+jwt',
        currentDate: new Date(testApp.clock.now()),
      })
      expect(protectedHeader.kid).toBe(decodeToken(token).header.kid)
      expect(payload.sub).toBe((await getWithToken(testApp.app, '/profile', token)).json<{ id: string }>().id)
    })
  })

  it('GET /healthz says the process is up', async () => {
    const response = await get('/healthz')
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ status: 'ok' })
  })

  it('GET /readyz says each component is up', async () => {
    const response = await get('/readyz')
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({
      status: 'ready',
      components: { database: { status: 'up' }, signing_key: { status: 'up' } },
    })
  })

  it('answers unknown paths with a JSON 404 and a code', async () => {
    const response = await get('/no-such-path')
    expect(response.statusCode).toBe(404)
    expect(response.json()).toEqual({ detail: 'Not Found', code: 'not_found' })
  })
})

describe.each(DIALECTS)('GET /readyz without a database on %s', (dialect) => {
  it('answers 503 with a code while /healthz still answers 200', async () => {
    const testApp = await createCoreApp({ dialect })
    try {
      await testApp.app.services.db.destroy()
      const ready = await testApp.app.inject({ method: 'GET', url: '/readyz' })
      expect(ready.statusCode).toBe(503)
      expect(ready.json()).toMatchObject({ code: 'database_unavailable' })
      expect(ready.body).not.toMatch(/select|sqlite|postgres/i)
      expect((await testApp.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200)
    } finally {
      // Closing destroys the database handle a second time; if that throws, still drop the test schema.
      await testApp.close().catch(() => testApp.database.drop())
    }
  })
})
