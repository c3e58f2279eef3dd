import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/app.ts'
import { launchBrowser, skipBrowserSuite } from '../helpers/browser.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { defined } from '../helpers/defined.ts'
import { postJson } from '../helpers/http.ts'

// Issue 2 promises that Authorize, then "Try it out" on /profile, works in a real browser. Only a real
// browser proves it: Swagger UI's password flow posts the form itself, reads the token, and is subject
// to the page's CSP, none of which inject() exercises.

const skipBrowser = skipBrowserSuite('/docs browser test')

const USER = { username: 'docs-browser-user', password: 'browser password 4 docs' }

describe.each(DIALECTS)('Swagger UI at /docs in Chromium on %s', (dialect) => {
  let server: TestServer | undefined
  let browser: Browser | undefined
  beforeAll(async () => {
    if (skipBrowser) return
    server = await startTestServer({ dialect })
    // Fails here when CI requires the browser and it is not installed.
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it.skipIf(skipBrowser)(
    'authorizes with the password dialog, then Try it out on GET /profile shows 200 and the user',
    async () => {
      const registered = await postJson(defined(server).baseUrl, '/register', USER)
      expect(registered.status).toBe(201)

      const page = await defined(browser).newPage()
      // Fail within the test timeout, with the collected problems, rather than hang on a missing element.
      page.setDefaultTimeout(10_000)
      const problems = watchForProblems(page)
      try {
        await page.goto(`${defined(server).baseUrl}/docs`)
        await page.locator('.auth-wrapper button.authorize').click()

        const dialog = page.locator('.modal-ux')
        await dialog.locator('#oauth_username').fill(USER.username)
        await dialog.locator('#oauth_password').fill(USER.password)
        const login = page.waitForResponse((response) => new URL(response.url()).pathname === '/login')
        await dialog.locator('button.authorize').click()
        expect((await login).status()).toBe(200)
        // Swagger UI swaps Authorize for Logout once it holds a token.
        await expect.poll(() => dialog.locator('button:has-text("Logout")').count()).toBe(1)
        await dialog.locator('button.btn-done').click()

        const operation = page.locator('.opblock-get', {
          has: page.locator('.opblock-summary-path[data-path="/profile"]'),
        })
        await operation.locator('.opblock-summary').first().click()
        await operation.locator('button.try-out__btn').click()
        const profile = page.waitForResponse((response) => new URL(response.url()).pathname === '/profile')
        await operation.locator('button.execute').click()
        expect((await profile).status()).toBe(200)

        const liveResponse = operation.locator('.live-responses-table .response').first()
        await expect.poll(() => liveResponse.locator('.response-col_status').innerText()).toContain('200')
        await expect
          .poll(() => liveResponse.locator('.response-col_description').innerText())
          .toContain(USER.username)
        expect(problems, 'console errors or blocked requests').toEqual([])
      } catch (error) {
        throw new Error(`${(error as Error).message}\nbrowser problems:\n${problems.join('\n')}`, {
          cause: error,
        })
      } finally {
        await page.close()
      }
    },
  )
})

/** Collects console errors, CSP violations and failed requests, so a failure says why. */
function watchForProblems(page: Page): string[] {
  const problems: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('requestfailed', (request) =>
    problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`),
  )
  return problems
}
