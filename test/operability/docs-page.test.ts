import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/app.ts'
import { defined } from '../helpers/defined.ts'
import { postJson } from '../helpers/http.ts'

// What a newcomer met on /docs (issue 15): a stock title and logo, two routes that opened together, a
// dialog that did not say its client fields stay empty, and "Unauthorized" for a wrong password.

const CHROMIUM = '/usr/bin/chromium'
const browserInstalled = existsSync(CHROMIUM)
const browserRequired = process.env.GATEHOUSE_TEST_REQUIRE_BROWSER === '1'
const skipBrowser = !browserInstalled && !browserRequired
if (skipBrowser) console.log(`[gatehouse tests] /docs page test skipped: ${CHROMIUM} not found`)

describe('/docs', () => {
  let server: TestServer | undefined
  let browser: Browser | undefined
  beforeAll(async () => {
    server = await startTestServer()
    if (!browserInstalled) return
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    })
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('gives /token_expiry and /token-expiry their own operation ids', async () => {
    const spec = (await (await fetch(`${defined(server).baseUrl}/openapi.json`)).json()) as {
      paths: Record<string, { get?: { operationId?: string } }>
    }
    const underscore = spec.paths['/token_expiry']?.get?.operationId
    const hyphen = spec.paths['/token-expiry']?.get?.operationId
    expect(underscore).toBeDefined()
    expect(hyphen).toBeDefined()
    expect(underscore).not.toBe(hyphen)
  })

  it.skipIf(skipBrowser)(
    'is titled Gatehouse with its icon, explains the empty client fields, and shows the server’s detail on a wrong password',
    async () => {
      if (!browserInstalled)
        throw new Error(`GATEHOUSE_TEST_REQUIRE_BROWSER=1 but ${CHROMIUM} does not exist`)
      const base = defined(server).baseUrl
      expect(
        (await postJson(base, '/register', { username: 'docs-reader', password: 'docs reader password 1' }))
          .status,
      ).toBe(201)
      const page = await defined(browser).newPage()
      page.setDefaultTimeout(10_000)
      try {
        await page.goto(`${base}/docs`)
        expect(await page.title()).toBe('Gatehouse API docs')
        const logo = page.locator('.topbar-wrapper img').first()
        expect(await logo.getAttribute('src')).toMatch(/^data:image\/svg\+xml/)
        await page.locator('.auth-wrapper button.authorize').click()
        const dialog = page.locator('.modal-ux')
        await expect.poll(() => dialog.innerText()).toContain('Leave client_id and client_secret empty')
        await dialog.locator('#oauth_username').fill('docs-reader')
        await dialog.locator('#oauth_password').fill('not the password at all')
        const login = page.waitForResponse((response) => new URL(response.url()).pathname === '/login')
        await dialog.locator('button.authorize').click()
        expect((await login).status()).toBe(401)
        await expect.poll(() => dialog.innerText()).toContain('Incorrect username or password')
      } finally {
        await page.close()
      }
    },
  )
})
