import axe from 'axe-core'
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { buildUi } from '../../scripts/build-ui.ts'
import { createTestApp, type TestApp, type TestAppOptions } from './app.ts'
import { freePort } from './ports.ts'

/** Debian's Chromium, driven by playwright-core (no browser download). */
export const CHROMIUM_PATH = '/usr/bin/chromium'
const browserInstalled = existsSync(CHROMIUM_PATH)
// CI installs Chromium and sets this, so a missing browser there is a failure, never a quiet skip.
const browserRequired = process.env.GATEHOUSE_TEST_REQUIRE_BROWSER === '1'

/**
 * True when a browser suite must be skipped: Chromium is absent and CI did not ask for it. Says why,
 * so a skipped suite is never silent. When the browser is required but absent, suites run and fail.
 */
export function skipBrowserSuite(suite: string): boolean {
  const skip = !browserInstalled && !browserRequired
  if (skip)
    console.log(`[gatehouse tests] ${suite} skipped: ${CHROMIUM_PATH} not found (apt install chromium)`)
  return skip
}

/** Starts headless Chromium with the flags that keep it quiet and offline. */
export async function launchBrowser(): Promise<Browser> {
  if (!browserInstalled)
    throw new Error(`GATEHOUSE_TEST_REQUIRE_BROWSER=1 but ${CHROMIUM_PATH} does not exist`)
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
}

let built: Promise<unknown> | undefined

/**
 * A test server with the pages built from the current sources (once per test process), whose public URL
 * (GATEHOUSE_ISSUER) is its real address: the cookie requests' Origin check compares against it.
 */
export async function startUiServer(
  options: TestAppOptions & { beforeListen?: (app: TestApp['app']) => void } = {},
): Promise<TestApp & { baseUrl: string }> {
  // Into the default folder the server reads; the build writes each file atomically, so test files
  // building in parallel never serve half a file.
  built ??= buildUi()
  await built
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const testApp = await createTestApp({ ...options, env: { GATEHOUSE_ISSUER: baseUrl, ...options.env } })
  options.beforeListen?.(testApp.app)
  await testApp.app.listen({ host: '127.0.0.1', port })
  return { ...testApp, baseUrl }
}

/** A fresh browser context (its own cookies) and page, with everything that goes wrong collected. */
export interface UiPage {
  context: BrowserContext
  page: Page
  /** Console errors, page errors, CSP violations and failed requests, for assertions and failure messages. */
  problems: string[]
}

/** Opens a page in its own context: `locale` sets Accept-Language, `width` the viewport (default 1024). */
export async function openPage(
  browser: Browser,
  options: { locale?: string; width?: number; height?: number } = {},
): Promise<UiPage> {
  const context = await browser.newContext({
    locale: options.locale ?? 'en-US',
    viewport: { width: options.width ?? 1024, height: options.height ?? 800 },
  })
  const page = await context.newPage()
  // Fail within the test timeout, with the collected problems, rather than hang on a missing element;
  // 20 s, because on a loaded 2-core CI machine one click once waited over 10 s for its button.
  page.setDefaultTimeout(20_000)
  const problems: string[] = []
  page.on('console', (message) => {
    // Chromium logs every 4xx answer to fetch(); the pages expect those (a wrong password is a 403).
    const expectedClientError = /^Failed to load resource: the server responded with a status of 4\d\d/
    if (message.type() === 'error' && !expectedClientError.test(message.text()))
      problems.push(`console: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? ''
    // A reload or navigation cancels the calls in flight; that is the browser's doing, not a failure.
    if (reason !== 'net::ERR_ABORTED') problems.push(`request failed: ${request.url()} ${reason}`)
  })
  return { context, page, problems }
}

/**
 * Gives the page a DevTools virtual authenticator: CTAP2, built in (like a phone's or laptop's), with
 * resident keys (discoverable passkeys) and user verification that always succeeds, as if the person
 * touched the sensor. Returns a way to count the passkeys it holds.
 */
export async function addVirtualAuthenticator(
  page: Page,
): Promise<{ credentialCount: () => Promise<number> }> {
  const devtools = await page.context().newCDPSession(page)
  await devtools.send('WebAuthn.enable')
  const { authenticatorId } = await devtools.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  })
  return {
    credentialCount: async () =>
      (await devtools.send('WebAuthn.getCredentials', { authenticatorId })).credentials.length,
  }
}

/** The parts of an axe violation worth printing. */
export interface AccessibilityViolation {
  id: string
  impact: string | null | undefined
  help: string
  targets: string[]
}

/**
 * Runs axe-core (WCAG 2.0–2.2 A and AA rules and best practices) on the page as it is now. The page's
 * CSP forbids inline scripts, so axe is not added as a <script> element: it is evaluated through the
 * DevTools protocol (page.evaluate), which the page's CSP does not govern, so the CSP stays on.
 */
export async function checkAccessibility(page: Page): Promise<AccessibilityViolation[]> {
  await page.evaluate(axe.source)
  // Browser-side code is passed as text: this project's TypeScript has no DOM types, on purpose.
  return page.evaluate<AccessibilityViolation[]>(`
    axe.run(document, {
      runOnly: { type: 'tag', values: ${JSON.stringify(AXE_TAGS)} },
    }).then((result) => result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(' ')),
    })))
  `)
}

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']

/**
 * The page's cumulative layout shift so far, leaving out shifts right after the person's input (as the
 * metric does): content moving on its own while someone reads is what this catches.
 */
export async function layoutShift(page: Page): Promise<number> {
  return page.evaluate<number>(`
    new Promise((resolve) => {
      let total = 0
      const observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value
      })
      observer.observe({ type: 'layout-shift', buffered: true })
      setTimeout(() => {
        observer.disconnect()
        resolve(total)
      }, 100)
    })
  `)
}

/** How much wider than the viewport the page is (0 when nothing scrolls sideways). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')
}

const SCREENSHOT_DIRECTORY = join(import.meta.dirname, '..', '..', 'docs', 'screenshots')

/** Saves a full-page screenshot to docs/screenshots/<name>.png when GATEHOUSE_SCREENSHOTS=1 asks for it. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  if (process.env.GATEHOUSE_SCREENSHOTS !== '1') return
  mkdirSync(SCREENSHOT_DIRECTORY, { recursive: true })
  await page.screenshot({
    path: join(SCREENSHOT_DIRECTORY, `${name}.png`),
    fullPage: true,
    animations: 'disabled',
  })
}
