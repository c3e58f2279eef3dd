import type { Page } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import { openPage, skipBrowserSuite, startUiServer, type UiPage } from '../helpers/browser.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { useBrowser, withProblems } from '../helpers/pages.ts'
import { apiLogin, callApi, countRequests, defined, registerUser, signIn } from './support.ts'

// A person's own pages, driven as a person would: by role and label, in a real Chromium, against a real
// server. Every test starts from a fresh browser context (no cookies, nothing in memory).

const PASSWORD = 'a long enough passphrase'
const skip = skipBrowserSuite('account pages browser tests')

describe.skipIf(skip).each(DIALECTS)('account pages in Chromium on %s', (dialect) => {
  const server = useTestApp(() => startUiServer({ dialect }))
  const browser = useBrowser()
  let ui: UiPage
  let counter = 0
  const nextName = (prefix: string) => `${prefix}-${dialect}-${++counter}`

  afterEach(async () => {
    await ui?.context.close()
  })

  /** Runs a browser scenario and attaches what the browser saw when it fails. */
  const scenario = async (body: (ui: UiPage) => Promise<void>) => {
    ui = await openPage(browser())
    try {
      await body(ui)
      expect(ui.problems, 'console errors, CSP violations or failed requests').toEqual([])
    } catch (error) {
      throw withProblems(ui.problems, error)
    }
  }

  /** Registers a new account (named from `prefix`), signs it in on `page` and returns its name. */
  const signedInNewcomer = async (page: Page, prefix: string) => {
    const username = nextName(prefix)
    await registerUser(server.baseUrl, username, PASSWORD)
    await signIn(page, server.baseUrl, { username, password: PASSWORD })
    return username
  }
  it('registers, lands signed in on the account page, and keeps no token where a script could read it', () =>
    scenario(async ({ context, page }) => {
      const username = nextName('newcomer')
      await page.goto(`${server.baseUrl}/ui/login`)
      await page.getByRole('link', { name: 'Create one' }).click()
      await page.getByRole('heading', { level: 1, name: 'Create an account' }).waitFor()
      await page.getByLabel('Username').fill(username)
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
      await page.getByLabel('Repeat the password').fill(PASSWORD)
      await page.getByRole('button', { name: 'Create account' }).click()

      await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor()
      expect(page.url()).toBe(`${server.baseUrl}/ui/account`)
      const profile = page.getByRole('region', { name: 'Profile' })
      await expect.poll(() => profile.innerText()).toContain(username)
      // Nothing in either storage; the one cookie a script can read is the CSRF token, and the refresh
      // token is in an HttpOnly, SameSite=Strict cookie sent only to /session.
      const readable = await page.evaluate<string>(
        'JSON.stringify([Object.keys(localStorage), Object.keys(sessionStorage), document.cookie.split("=")[0]])',
      )
      expect(JSON.parse(readable)).toEqual([[], [], 'gatehouse_csrf'])
      const refresh = (await context.cookies()).find((cookie) => cookie.name === 'gatehouse_refresh')
      expect(refresh).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/session', secure: false })
      expect(refresh?.value).toMatch(/^ghr_/)
    }))

  it('shows the API’s errors next to the field they concern', () =>
    scenario(async ({ page }) => {
      const taken = nextName('taken')
      await registerUser(server.baseUrl, taken, PASSWORD)
      await page.goto(`${server.baseUrl}/ui/register`)
      const username = page.getByLabel('Username')
      const password = page.getByLabel('Password', { exact: true })
      await username.fill(taken)
      await password.fill(PASSWORD)
      await page.getByLabel('Repeat the password').fill(PASSWORD)
      await page.getByRole('button', { name: 'Create account' }).click()
      // The message is the API's detail, tied to the field with aria-describedby, and the field has focus.
      await expect.poll(() => username.getAttribute('aria-invalid')).toBe('true')
      await expect
        .poll(() => page.evaluate<string>('document.activeElement?.getAttribute("name")'))
        .toBe('username')
      expect(await accessibleDescription(page, 'Username')).toBe('Username is already taken')

      await username.fill(nextName('fresh'))
      await password.fill('short')
      await page.getByLabel('Repeat the password').fill('short')
      await page.getByRole('button', { name: 'Create account' }).click()
      await expect.poll(() => password.getAttribute('aria-invalid')).toBe('true')
      expect(await accessibleDescription(page, 'Password')).toContain(
        'Password must be at least 8 characters',
      )
      expect(await username.getAttribute('aria-invalid')).toBeNull()

      // Checked before any call: the repeated password must match.
      await password.fill(PASSWORD)
      await page.getByLabel('Repeat the password').fill(`${PASSWORD}!`)
      await page.getByRole('button', { name: 'Create account' }).click()
      await expect
        .poll(() => accessibleDescription(page, 'Repeat the password'))
        .toBe('The two passwords differ.')
    }))

  it('refuses a wrong password with one message for the form, and signs in with the keyboard alone', () =>
    scenario(async ({ page }) => {
      const username = nextName('keyboard')
      await registerUser(server.baseUrl, username, PASSWORD)
      await page.goto(`${server.baseUrl}/ui/login`)
      // Tab order from the top of the page: skip link, brand, language, then the form.
      await page.keyboard.press('Tab')
      await page.keyboard.press('Tab')
      await page.keyboard.press('Tab')
      await page.keyboard.press('Tab')
      await page.keyboard.type(username)
      await page.keyboard.press('Tab')
      await page.keyboard.type('not the password')
      await page.keyboard.press('Enter')
      await expect.poll(() => page.getByRole('alert').innerText()).toBe('Incorrect username or password')

      await page.getByLabel('Password', { exact: true }).focus()
      await page.keyboard.press('Control+A')
      await page.keyboard.type(PASSWORD)
      await page.keyboard.press('Enter')
      await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor()
    }))

  it('a reload keeps the person signed in: the refresh cookie brings a new access token', () =>
    scenario(async ({ page }) => {
      const username = await signedInNewcomer(page, 'reloader')
      const refreshes = countRequests(page, '/session/refresh')
      await page.reload()
      await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor()
      await expect.poll(() => page.getByRole('region', { name: 'Profile' }).innerText()).toContain(username)
      expect(refreshes()).toBe(1)
      // A page opened directly (a new tab, a bookmark) is signed in as well.
      await page.goto(`${server.baseUrl}/ui/account`)
      await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor()
    }))

  it('renews an expired access token from the cookie without the person noticing', () =>
    scenario(async ({ page }) => {
      await signedInNewcomer(page, 'expiring')
      // The access token lives 30 minutes; move the server's clock past that.
      server.clock.advanceSeconds(31 * 60)
      const refreshes = countRequests(page, '/session/refresh')
      const security = page.getByRole('region', { name: 'Security' })
      await security.getByLabel('Current password').fill(PASSWORD)
      await security.getByLabel('New password', { exact: true }).fill('yet another passphrase')
      await security.getByLabel('Repeat the new password').fill('yet another passphrase')
      await security.getByRole('button', { name: 'Change password' }).click()
      await expect
        .poll(() => security.getByRole('status').innerText())
        .toBe('Password changed. Other sessions signed out: 0.')
      expect(refreshes()).toBe(1)
    }))

  it('renames with the current password, refusing a wrong one next to the password field', () =>
    scenario(async ({ page }) => {
      const username = nextName('renamer')
      const renamed = nextName('renamed')
      await registerUser(server.baseUrl, username, PASSWORD)
      await signIn(page, server.baseUrl, { username, password: PASSWORD })
      const profile = page.getByRole('region', { name: 'Profile' })
      await profile.getByLabel('New username').fill(renamed)
      await profile.getByLabel('Current password').fill('wrong password here')
      await profile.getByRole('button', { name: 'Change username' }).click()
      await expect
        .poll(() => accessibleDescription(page, 'Current password', profile))
        .toBe('Incorrect password')

      await profile.getByLabel('Current password').fill(PASSWORD)
      await profile.getByRole('button', { name: 'Change username' }).click()
      await expect
        .poll(() => profile.getByRole('status').innerText())
        .toBe(`Your username is now ${renamed}.`)
      await expect.poll(() => profile.locator('dd').first().innerText()).toBe(renamed)
      const login = await callApi(server.baseUrl, 'POST', '/login', {
        body: { username: renamed, password: PASSWORD },
      })
      expect(login.status).toBe(200)
    }))

  it('changes the password: the other sessions end, this one stays', () =>
    scenario(async ({ page }) => {
      const username = nextName('changer')
      const newPassword = 'another long passphrase'
      await registerUser(server.baseUrl, username, PASSWORD)
      const other = await apiLogin(server.baseUrl, username, PASSWORD)
      await signIn(page, server.baseUrl, { username, password: PASSWORD })
      const security = page.getByRole('region', { name: 'Security' })
      await security.getByLabel('Current password').fill(PASSWORD)
      await security.getByLabel('New password', { exact: true }).fill(newPassword)
      await security.getByLabel('Repeat the new password').fill(newPassword)
      await security.getByRole('button', { name: 'Change password' }).click()
      await expect
        .poll(() => security.getByRole('status').innerText())
        .toBe('Password changed. Other sessions signed out: 1.')
      expect((await callApi(server.baseUrl, 'GET', '/profile', { token: other.access })).status).toBe(401)
      // This page's session still works: the sessions table reloads through the API with its token.
      const sessions = page.getByRole('region', { name: 'Sessions' })
      await expect.poll(() => sessions.getByRole('row').count()).toBe(2)
    }))

  it('lists sessions with device and address, ends one, then all the others', () =>
    scenario(async ({ page }) => {
      const username = nextName('sessions')
      await registerUser(server.baseUrl, username, PASSWORD)
      const first = await apiLogin(server.baseUrl, username, PASSWORD)
      const second = await apiLogin(server.baseUrl, username, PASSWORD)
      await signIn(page, server.baseUrl, { username, password: PASSWORD })
      const sessions = page.getByRole('region', { name: 'Sessions' })
      const table = sessions.getByRole('table', { name: 'Where you are signed in' })
      // A header row and three sessions: this browser and the two API logins (Node's fetch as "node").
      await expect.poll(() => table.getByRole('row').count()).toBe(4)
      const thisDevice = table.getByRole('row').filter({ hasText: 'This device' })
      expect(await thisDevice.innerText()).toContain('Chrome on Linux')
      expect(await thisDevice.innerText()).toContain('127.0.0.1')

      await table
        .getByRole('button', { name: /^End the session on node/ })
        .first()
        .click()
      await expect.poll(() => sessions.getByRole('status').innerText()).toBe('The session has ended.')
      await expect.poll(() => table.getByRole('row').count()).toBe(3)
      const stillLive = await Promise.all(
        [first, second].map(
          async (tokens) =>
            (await callApi(server.baseUrl, 'GET', '/profile', { token: tokens.access })).status,
        ),
      )
      expect(stillLive.sort()).toEqual([200, 401])

      await sessions.getByRole('button', { name: 'End all other sessions' }).click()
      await expect.poll(() => sessions.getByRole('status').innerText()).toBe('Other sessions ended: 1.')
      await expect.poll(() => table.getByRole('row').count()).toBe(2)
      for (const tokens of [first, second])
        expect((await callApi(server.baseUrl, 'GET', '/profile', { token: tokens.access })).status).toBe(401)
      expect(await sessions.getByRole('button', { name: 'End all other sessions' }).isDisabled()).toBe(true)
    }))

  it('deletes the account after a confirmation that asks for the password', () =>
    scenario(async ({ context, page }) => {
      const username = await signedInNewcomer(page, 'leaver')
      await page.getByRole('button', { name: 'Delete account…' }).click()
      const dialog = page.getByRole('dialog', { name: 'Delete your account?' })
      await dialog.getByLabel('Password').fill('not my password')
      await dialog.getByRole('button', { name: 'Delete my account' }).click()
      await expect.poll(() => accessibleDescription(page, 'Password', dialog)).toBe('Incorrect password')
      // Escape closes the dialog and nothing is deleted.
      await page.keyboard.press('Escape')
      await expect.poll(() => dialog.isVisible()).toBe(false)
      expect(
        (await callApi(server.baseUrl, 'POST', '/login', { body: { username, password: PASSWORD } })).status,
      ).toBe(200)

      await page.getByRole('button', { name: 'Delete account…' }).click()
      await dialog.getByLabel('Password').fill(PASSWORD)
      await dialog.getByRole('button', { name: 'Delete my account' }).click()
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor()
      await expect.poll(() => page.getByRole('status').innerText()).toBe('Your account has been deleted.')
      // Only the device cookie (issue 16) outlives the session: it holds no session and signs nobody in.
      expect((await context.cookies()).map((cookie) => cookie.name)).toEqual(['gatehouse_device'])
      const login = await callApi(server.baseUrl, 'POST', '/login', {
        body: { username, password: PASSWORD },
      })
      expect(login.status).toBe(401)
    }))

  it('signs out: the session ends on the server, and the account page asks to sign in again', () =>
    scenario(async ({ context, page }) => {
      const username = await signedInNewcomer(page, 'signout')
      const sessionsBefore = await server.app.services.db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .where('users.username', '=', username)
        .where('sessions.revoked_at', 'is', null)
        .select('sessions.id')
        .execute()
      expect(sessionsBefore).toHaveLength(1)
      await page.getByRole('button', { name: 'Sign out' }).click()
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor()
      await expect.poll(() => page.getByRole('status').innerText()).toBe('You have signed out.')
      // The server dropped both cookies, so a reload stays signed out.
      // Only the device cookie (issue 16) outlives the session: it holds no session and signs nobody in.
      expect((await context.cookies()).map((cookie) => cookie.name)).toEqual(['gatehouse_device'])
      const sessionsAfter = await server.app.services.db
        .selectFrom('sessions')
        .where('id', '=', defined(sessionsBefore[0]).id)
        .select('revoked_at')
        .executeTakeFirstOrThrow()
      expect(sessionsAfter.revoked_at).not.toBeNull()
      await page.goBack()
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor()
    }))
})

/**
 * The accessible description of a labelled field, without its standing hint: the texts its
 * aria-describedby names, which a screen reader reads after the field's name.
 */
async function accessibleDescription(
  page: UiPage['page'],
  label: string,
  within: Pick<UiPage['page'], 'getByLabel'> = page,
): Promise<string> {
  const ids = (await within.getByLabel(label, { exact: true }).getAttribute('aria-describedby')) ?? ''
  const texts: string[] = []
  for (const id of ids.split(' ').filter(Boolean)) texts.push(await page.locator(`[id="${id}"]`).innerText())
  return texts.filter((text) => !text.startsWith('At least 8 characters')).join(' ')
}
