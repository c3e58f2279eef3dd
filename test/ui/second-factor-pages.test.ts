import type { Page } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import { addVirtualAuthenticator, skipBrowserSuite } from '../helpers/browser.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { removeDirectory, temporaryDirectory } from '../helpers/files.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { useBrowser, usePageScenarios } from '../helpers/pages.ts'
import {
  apiLogin,
  callApi,
  defined,
  registerUser,
  ROOT,
  ROOT_ENV,
  signIn,
  startLocalhostUiServer,
  totpCode,
} from './support.ts'

// Second factors in the pages, in Chromium against a real server at http://localhost (WebAuthn needs a
// host name): enrolling the authenticator app from the account page and signing in with its codes and
// with a recovery code; a passkey added through the DevTools virtual authenticator, then used alone and
// as the second step; step-up when the sign-in is old; an admin resetting a user's factors.

const PASSWORD = 'a long enough passphrase'
const REAUTH_MAX_AGE = 600
const skip = skipBrowserSuite('second-factor pages browser tests')

describe.skipIf(skip).each(DIALECTS)('second factors in the pages, Chromium on %s', (dialect) => {
  let counter = 0
  const nextName = (prefix: string) => `${prefix}-${dialect}-${++counter}`

  const outbox = temporaryDirectory('ui-outbox')
  afterAll(() => removeDirectory(outbox))
  const server = useTestApp(() =>
    startLocalhostUiServer({
      dialect,
      env: {
        ...ROOT_ENV,
        GATEHOUSE_REGISTER_PER_IP_PER_HOUR: '1000',
        GATEHOUSE_REAUTH_MAX_AGE: String(REAUTH_MAX_AGE),
        // No SMTP server here: messages (an address change's confirmation) go to files of this test.
        GATEHOUSE_OUTBOX_DIR: outbox,
      },
    }),
  )
  const pages = usePageScenarios(useBrowser())
  const { scenario } = pages

  const signOut = async (page: Page) => {
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor()
  }

  /** Enrolls the authenticator app on the account page; returns the secret and the recovery codes. */
  const enrollTotp = async (page: Page): Promise<{ secret: string; codes: string[] }> => {
    const app = page.getByRole('region', { name: 'Authenticator app' })
    await app.getByLabel('Current password').fill(PASSWORD)
    await app.getByRole('button', { name: 'Set up authenticator app' }).click()
    // The QR code is an image from a blob: URL (no markup from the API enters the page), and it loads.
    const qr = app.getByRole('img', { name: 'QR code for your authenticator app' })
    await qr.waitFor()
    expect(await qr.getAttribute('src')).toMatch(/^blob:/)
    await expect
      .poll(() => page.evaluate<number>('document.querySelector(".qr img").naturalWidth'))
      .toBeGreaterThan(0)
    const secret = (await app.locator('code.secret').innerText()).trim()
    expect(secret).toMatch(/^[A-Z2-7]{32}$/)

    const code = app.getByLabel('6-digit code from the app')
    await code.fill('000000' === totpCode(secret, server.clock.now()) ? '111111' : '000000')
    await app.getByRole('button', { name: 'Turn on' }).click()
    await expect.poll(() => code.getAttribute('aria-invalid')).toBe('true')
    await code.fill(totpCode(secret, server.clock.now()))
    await app.getByRole('button', { name: 'Turn on' }).click()

    const list = app.getByRole('list', { name: 'Recovery codes' })
    await list.waitFor()
    const codes = (await list.getByRole('listitem').allInnerTexts()).map((text) => text.trim())
    expect(codes).toHaveLength(10)
    expect(new Set(codes).size).toBe(10)
    await app.getByRole('button', { name: 'I have saved them' }).click()
    await expect.poll(() => app.innerText()).toContain('Recovery codes left: 10.')
    // Shown once: nothing on the page repeats them now.
    expect(await page.locator('body').innerText()).not.toContain(codes[0])
    return { secret, codes }
  }

  it('enrolls the authenticator app with its QR code, then signs in with a code and with a recovery code', () =>
    scenario(async (page) => {
      const username = nextName('totp')
      await registerUser(server.baseUrl, username, PASSWORD)
      await signIn(page, server.baseUrl, { username, password: PASSWORD })
      const { secret, codes } = await enrollTotp(page)
      await signOut(page)

      // The password alone is not enough any more: the second step asks for the app's code.
      await page.getByLabel('Username or email').fill(username)
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
      await page.getByRole('button', { name: 'Sign in', exact: true }).click()
      await page.getByRole('heading', { level: 1, name: 'Second step' }).waitFor()
      const code = page.getByLabel('Code from your authenticator app')
      // The code field has focus, so the person just types.
      await expect
        .poll(() => page.evaluate<string | null>('document.activeElement.getAttribute("name")'))
        .toBe('code')
      await code.fill('12345')
      await page.getByRole('button', { name: 'Continue' }).click()
      await expect.poll(() => code.getAttribute('aria-invalid')).toBe('true')
      expect(await page.getByText('Enter the 6 digits the app shows.').count()).toBe(1)
      // A code already used at enrollment would be a replay: move to the next 30-second step.
      server.clock.advanceSeconds(30)
      // By keyboard alone: the field in error has the focus; select its text, type over it, press Enter.
      // Focus moves after the error renders, so wait for it before typing.
      await expect
        .poll(() => page.evaluate<string | null>('document.activeElement.getAttribute("name")'))
        .toBe('code')
      await page.keyboard.press('Control+A')
      await page.keyboard.type(totpCode(secret, server.clock.now()))
      await page.keyboard.press('Enter')
      await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor()
      await signOut(page)

      await page.getByLabel('Username or email').fill(username)
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
      await page.getByRole('button', { name: 'Sign in', exact: true }).click()
      await page.getByRole('button', { name: 'Use a recovery code instead' }).click()
      await page.getByLabel('Recovery code').fill(defined(codes[0]))
      await page.getByRole('button', { name: 'Continue' }).click()
      await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor()
      const app = page.getByRole('region', { name: 'Authenticator app' })
      await expect.poll(() => app.innerText()).toContain('Recovery codes left: 9.')
    }))

  it('adds a passkey with the virtual authenticator, signs in with it alone and as the second step, and removes it', () =>
    scenario(async (page) => {
      const authenticator = await addVirtualAuthenticator(page)
      const username = nextName('passkey')
      await registerUser(server.baseUrl, username, PASSWORD)
      await signIn(page, server.baseUrl, { username, password: PASSWORD })

      const passkeys = page.getByRole('region', { name: 'Passkeys' })
      await passkeys.getByLabel('Name of the new passkey').fill('Work laptop')
      await passkeys.getByRole('button', { name: 'Add a passkey' }).click()
      await expect
        .poll(() => passkeys.getByRole('status').innerText())
        .toBe('The passkey Work laptop is added.')
      // The account's first second factor: its recovery codes are shown once, here too.
      const codes = passkeys.getByRole('list', { name: 'Recovery codes' })
      await codes.waitFor()
      expect(await codes.getByRole('listitem').count()).toBe(10)
      await passkeys.getByRole('button', { name: 'I have saved them' }).click()
      await passkeys
        .getByRole('table', { name: 'Your passkeys' })
        .getByRole('cell', { name: 'Work laptop', exact: true })
        .waitFor()
      expect(await authenticator.credentialCount()).toBe(1)
      await signOut(page)

      // Passwordless: no name typed; the browser offers the discoverable passkey it holds.
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click()
      await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor()
      await expect.poll(() => page.getByRole('region', { name: 'Profile' }).innerText()).toContain(username)
      await signOut(page)

      // With a passkey registered, the password leads to the second step, where the passkey is one way.
      await page.getByLabel('Username or email').fill(username)
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
      await page.getByRole('button', { name: 'Sign in', exact: true }).click()
      await page.getByRole('heading', { level: 1, name: 'Second step' }).waitFor()
      await page.getByRole('button', { name: 'Use a passkey' }).click()
      await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor()

      await passkeys.getByRole('button', { name: 'Remove the passkey Work laptop' }).click()
      const dialog = page.getByRole('dialog', { name: 'Remove the passkey Work laptop?' })
      await dialog.getByRole('button', { name: 'Remove', exact: true }).click()
      await expect.poll(() => passkeys.innerText()).toContain('No passkeys.')
      const tokens = await apiLogin(server.baseUrl, username, PASSWORD)
      expect(tokens.access).toBeTruthy()
    }))

  it('asks to confirm it is you when the sign-in is old, then makes the change', () =>
    scenario(async (page) => {
      const username = nextName('stepup')
      await registerUser(server.baseUrl, username, PASSWORD)
      await signIn(page, server.baseUrl, { username, password: PASSWORD })
      const { secret } = await enrollTotp(page)

      server.clock.advanceSeconds(REAUTH_MAX_AGE + 60)
      const app = page.getByRole('region', { name: 'Authenticator app' })
      await app.getByRole('button', { name: 'New recovery codes' }).click()
      const dialog = page.getByRole('dialog', { name: 'Confirm it is you' })
      await dialog.getByLabel('Password', { exact: true }).fill(PASSWORD)
      await dialog.getByRole('button', { name: 'Confirm' }).click()
      await dialog.getByLabel('Code from your authenticator app').fill(totpCode(secret, server.clock.now()))
      await dialog.getByRole('button', { name: 'Continue' }).click()

      const list = app.getByRole('list', { name: 'Recovery codes' })
      await list.waitFor()
      expect(await list.getByRole('listitem').count()).toBe(10)
      await app.getByRole('button', { name: 'I have saved them' }).click()
      // Still signed in, in one session: the fresh sign-in replaced the old one.
      const sessions = page.getByRole('region', { name: 'Sessions' })
      await expect.poll(() => sessions.getByRole('row').count()).toBe(2)

      // A form's change asks the same way, then goes through: a new address, after a while.
      server.clock.advanceSeconds(REAUTH_MAX_AGE + 60)
      const address = `${username}@example.test`
      const email = page.getByRole('region', { name: 'Email address' })
      await email.getByLabel('New email address').fill(address)
      await email.getByLabel('Current password').fill(PASSWORD)
      await email.getByRole('button', { name: 'Send confirmation' }).click()
      await dialog.getByLabel('Password', { exact: true }).fill(PASSWORD)
      await dialog.getByRole('button', { name: 'Confirm' }).click()
      await dialog.getByLabel('Code from your authenticator app').fill(totpCode(secret, server.clock.now()))
      await dialog.getByRole('button', { name: 'Continue' }).click()
      await expect.poll(() => email.getByRole('status').innerText()).toContain(address)
      await expect.poll(() => sessions.getByRole('row').count()).toBe(2)
    }))

  it('an admin sees a user’s factors and resets them, which signs the user out', () =>
    scenario(async (page) => {
      const username = nextName('lostphone')
      const userId = await registerUser(server.baseUrl, username, PASSWORD)
      const user = await pages.open()
      await signIn(user.page, server.baseUrl, { username, password: PASSWORD })
      await enrollTotp(user.page)

      await signIn(page, server.baseUrl, ROOT)
      await page.goto(`${server.baseUrl}/ui/admin`)
      await page.getByLabel('Username starts with').fill(username)
      await page.getByRole('button', { name: 'Search' }).click()
      await page.getByRole('link', { name: username, exact: true }).click()
      const factors = page.getByRole('region', { name: 'Second factors' })
      await expect.poll(() => factors.innerText()).toContain('On; recovery codes left: 10')
      await factors.getByRole('button', { name: 'Reset second factors…' }).click()
      const dialog = page.getByRole('dialog', { name: `Reset the second factors of ${username}?` })
      await dialog.getByRole('button', { name: 'Reset second factors' }).click()
      await expect
        .poll(() => page.getByRole('status').first().innerText())
        .toBe('The second factors are removed and the user’s sessions have ended.')
      await expect.poll(() => factors.innerText()).toContain('Off')

      // The user's open page is signed out at its next request; the password alone now signs in.
      await user.page.getByRole('link', { name: 'Account' }).click()
      await user.page.reload()
      await user.page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor()
      const { status } = await callApi(server.baseUrl, 'POST', '/login', {
        body: { username, password: PASSWORD },
      })
      expect(status).toBe(200)
      expect(userId).toBeTruthy()
    }))
})
