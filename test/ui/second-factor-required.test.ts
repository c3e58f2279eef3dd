import { afterAll, describe, expect, it } from 'vitest'
import { openPage, skipBrowserSuite, type UiPage } from '../helpers/browser.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { useBrowser, withProblems } from '../helpers/pages.ts'
import { registerUser, startLocalhostUiServer, totpCode } from './support.ts'

// GATEHOUSE_MFA=required in the pages: a right password on an account without a factor earns only an
// enrollment token, and the sign-in page walks the person through setting up the authenticator app.

const PASSWORD = 'a long enough passphrase'
const skip = skipBrowserSuite('required second factor browser tests')

describe.skipIf(skip)('a server that requires a second factor, in Chromium', () => {
  const server = useTestApp(() => startLocalhostUiServer({ env: { GATEHOUSE_MFA: 'required' } }))
  const browser = useBrowser()
  let ui: UiPage | undefined
  afterAll(async () => {
    await ui?.context.close()
  })

  it('a new account sets up the authenticator app at its first sign-in, sees its recovery codes, and is in', async () => {
    ui = await openPage(browser())
    const { page, problems } = ui
    try {
      const username = 'first-timer'
      await registerUser(server.baseUrl, username, PASSWORD)
      await page.goto(`${server.baseUrl}/ui/login`)
      await page.getByLabel('Username or email').fill(username)
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
      await page.getByRole('button', { name: 'Sign in', exact: true }).click()
      await page.getByRole('heading', { level: 1, name: 'Set up a second factor' }).waitFor()
      await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor()
      const secret = (await page.locator('code.secret').innerText()).trim()
      await page.getByLabel('6-digit code from the app').fill(totpCode(secret, server.clock.now()))
      await page.getByRole('button', { name: 'Turn on' }).click()
      const list = page.getByRole('list', { name: 'Recovery codes' })
      await list.waitFor()
      expect(await list.getByRole('listitem').count()).toBe(10)
      // Not signed in until the codes were seen.
      expect(page.url()).toBe(`${server.baseUrl}/ui/login`)
      await page.getByRole('button', { name: 'I have saved them' }).click()
      await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor()
      const app = page.getByRole('region', { name: 'Authenticator app' })
      await expect.poll(() => app.innerText()).toContain('Recovery codes left: 10.')
      expect(problems, 'console errors or failed requests').toEqual([])
    } catch (error) {
      throw withProblems(problems, error)
    }
  })
})
