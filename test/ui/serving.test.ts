import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { gzipSync } from 'node:zlib'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildUi } from '../../scripts/build-ui.ts'
import { buildApp } from '../../src/app.ts'
import { chooseLanguage } from '../../src/routes/ui.ts'
import { createTestApp, type TestApp } from '../helpers/app.ts'
import { ManualClock } from '../helpers/clock.ts'
import { testConfig } from '../helpers/config.ts'
import { createTestDatabase } from '../helpers/databases.ts'
import { defined, ROOT, ROOT_ENV } from './support.ts'

// How the server delivers the pages: the shell with the page language, the pages' own CSP, immutable
// hashed assets, and a clear 503 when the pages were never built. No browser needed.

const UI_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

describe('serving the built pages', () => {
  let directory: string
  let assets: string[]
  let testApp: TestApp
  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'gatehouse-ui-'))
    assets = (await buildUi(directory)).assets
    testApp = await createTestApp()
  })
  afterAll(async () => {
    await testApp.close()
    rmSync(directory, { recursive: true, force: true })
  })

  const appOn = async (uiDirectory: string, env: Record<string, string> = {}) => {
    const database = await createTestDatabase('sqlite')
    return buildApp(testConfig(env), {
      clock: new ManualClock(),
      database: database.handle,
      logger: false,
      uiDirectory,
    })
  }

  it('serves the shell for every page path, in the language Accept-Language prefers, with the pages’ CSP', async () => {
    const app = await appOn(directory)
    try {
      for (const path of ['/ui', '/ui/', '/ui/login', '/ui/account', '/ui/admin/users/abc', '/ui/anything']) {
        const response = await app.inject({
          method: 'GET',
          url: path,
          headers: { 'accept-language': 'ko-KR,ko;q=0.9' },
        })
        expect(response.statusCode, path).toBe(200)
        expect(response.headers['content-type']).toBe('text/html; charset=utf-8')
        expect(response.headers['content-security-policy']).toBe(UI_CSP)
        expect(response.headers['x-frame-options']).toBe('DENY')
        expect(response.headers['cache-control']).toBe('no-store')
        expect(response.headers.vary).toBe('accept-language, cookie')
        expect(response.body).toContain('<html lang="ko">')
        expect(response.body).toContain('<meta name="gatehouse-registration" content="open" />')
        expect(response.body).toContain('<meta name="gatehouse-email" content="optional" />')
      }
    } finally {
      await app.close()
    }
  })

  it('has no inline script or style in the shell: every script and stylesheet is a file of its own', async () => {
    const app = await appOn(directory)
    try {
      const html = (await app.inject({ method: 'GET', url: '/ui/login' })).body
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)]
      expect(scripts).toHaveLength(1)
      expect(scripts[0]?.[1]).toMatch(/src="\/ui\/assets\/app-[A-Z0-9]+\.js"/)
      expect(scripts[0]?.[2]).toBe('')
      expect(html).not.toMatch(/<style|style="|\son[a-z]+=/i)
    } finally {
      await app.close()
    }
  })

  it('serves each asset with its type and an immutable cache lifetime, and 404 for any other name', async () => {
    const app = await appOn(directory)
    try {
      expect(assets.some((name) => name.endsWith('.js'))).toBe(true)
      for (const name of assets) {
        const response = await app.inject({ method: 'GET', url: `/ui/assets/${name}` })
        expect(response.statusCode, name).toBe(200)
        expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable')
        expect(response.headers['content-security-policy']).toBe(UI_CSP)
        expect(response.headers['x-content-type-options']).toBe('nosniff')
        const type = name.endsWith('.js')
          ? 'text/javascript'
          : name.endsWith('.css')
            ? 'text/css'
            : 'image/svg+xml'
        expect(response.headers['content-type']).toContain(type)
      }
      for (const name of ['nope.js', '..%2Findex.html', '%2e%2e%2F%2e%2e%2Fpackage.json', 'index.html']) {
        const response = await app.inject({ method: 'GET', url: `/ui/assets/${name}` })
        expect(response.statusCode, name).toBe(404)
        expect(response.body).not.toContain('"version"')
      }
    } finally {
      await app.close()
    }
  })

  it('keeps the script within the README’s budget: under 150 KB, under 45 KB gzipped', () => {
    const script = defined(assets.find((name) => name.endsWith('.js')))
    const body = readFileSync(join(directory, 'assets', script))
    expect(body.length).toBeLessThan(150_000)
    expect(gzipSync(body).length).toBeLessThan(45_000)
  })

  it('answers 503 with how to build the pages when they are not built, and recovers once they are', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'gatehouse-ui-missing-'))
    const app = await appOn(empty)
    try {
      for (const url of ['/ui/login', '/ui/assets/app.js']) {
        const response = await app.inject({ method: 'GET', url })
        expect(response.statusCode).toBe(503)
        expect(response.headers['content-type']).toBe('text/plain; charset=utf-8')
        expect(response.body).toContain('npm run build:ui')
      }
      // The API is unaffected.
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200)
      await buildUi(empty)
      expect((await app.inject({ method: 'GET', url: '/ui/login' })).statusCode).toBe(200)
    } finally {
      await app.close()
      rmSync(empty, { recursive: true, force: true })
    }
  })

  /** The registration page as an app started with `env` serves it. */
  const registerPageWith = async (env: Record<string, string>) => {
    const app = await appOn(directory, env)
    try {
      return (await app.inject({ method: 'GET', url: '/ui/register' })).body
    } finally {
      await app.close()
    }
  }

  it('tells the pages whether registration is open, and closed registration refuses POST /register', async () => {
    const html = await registerPageWith({ GATEHOUSE_REGISTRATION: 'closed' })
    expect(html).toContain('<meta name="gatehouse-registration" content="closed" />')
  })

  it('tells the pages when an email address is required (GATEHOUSE_REQUIRE_EMAIL)', async () => {
    const html = await registerPageWith({ GATEHOUSE_REQUIRE_EMAIL: 'true' })
    expect(html).toContain('<meta name="gatehouse-email" content="required" />')
  })

  it('keeps the API’s own CSP on API routes', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/healthz' })
    expect(response.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'")
  })
})

describe('GATEHOUSE_REGISTRATION', () => {
  let open: TestApp
  let closed: TestApp
  beforeAll(async () => {
    open = await createTestApp()
    closed = await createTestApp({
      env: { ...ROOT_ENV, GATEHOUSE_REGISTRATION: 'closed', GATEHOUSE_REGISTER_PER_IP_PER_HOUR: '1' },
    })
  })
  afterAll(async () => {
    await open.close()
    await closed.close()
  })
  const body = { username: 'hopeful', password: 'a long enough passphrase' }

  it('is open by default', async () => {
    expect(open.config.registration).toBe('open')
    expect((await open.app.inject({ method: 'POST', url: '/register', payload: body })).statusCode).toBe(201)
  })

  it('closed: POST /register answers 403 registration_closed, before reading the body and without counting', async () => {
    for (const payload of [body, { nonsense: true }, 'not json']) {
      const response = await closed.app.inject({
        method: 'POST',
        url: '/register',
        payload: payload as object,
        headers: { 'content-type': 'application/json' },
      })
      expect(response.statusCode).toBe(403)
      expect(response.json()).toEqual({
        detail: 'Registration is closed; ask an administrator',
        code: 'registration_closed',
      })
    }
    const users = await closed.app.services.db.selectFrom('users').select('username').execute()
    expect(users.map((user) => user.username)).toEqual([ROOT.username])
    // The limit is one registration per hour and it is still unused: the refused attempts were not counted.
    await expect(closed.app.services.throttles.register.consume('127.0.0.1')).resolves.toBeDefined()
    await expect(closed.app.services.throttles.register.consume('127.0.0.1')).rejects.toMatchObject({
      code: 'too_many_requests',
    })
  })

  it('closed still lets admins create users', async () => {
    const login = await closed.app.inject({ method: 'POST', url: '/login', payload: ROOT })
    const token = login.json<{ access_token: string }>().access_token
    const created = await closed.app.inject({
      method: 'POST',
      url: '/admin/users',
      headers: { authorization: `Bearer ${token}` },
      payload: body,
    })
    expect(created.statusCode).toBe(201)
  })

  it('refuses a value other than open or closed at start', () => {
    expect(() => testConfig({ GATEHOUSE_REGISTRATION: 'maybe' })).toThrow(/GATEHOUSE_REGISTRATION/)
  })
})

describe('choosing the page language', () => {
  it.each([
    [undefined, undefined, 'en'],
    [undefined, 'ko', 'ko'],
    [undefined, 'ko-KR,ko;q=0.9,en-US;q=0.8', 'ko'],
    [undefined, 'en-US,en;q=0.9,ko;q=0.8', 'en'],
    [undefined, 'fr-FR,ko;q=0.5', 'ko'],
    [undefined, 'en;q=0.2, ko;q=0.8', 'ko'],
    [undefined, 'ko;q=0, en;q=0.1', 'en'],
    [undefined, 'de, fr', 'en'],
    [undefined, '*', 'en'],
    ['gatehouse_lang=ko', 'en-US', 'ko'],
    ['other=1; gatehouse_lang=en', 'ko-KR', 'en'],
    ['gatehouse_lang=xx', 'ko-KR', 'ko'],
  ])('cookie %s, Accept-Language %s → %s', (cookie, accept, expected) => {
    expect(chooseLanguage(cookie, accept)).toBe(expected)
  })
})
