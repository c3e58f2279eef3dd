import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { skipBrowserSuite, startUiServer } from '../helpers/browser.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { useBrowser, usePageScenarios } from '../helpers/pages.ts'
import { apiLogin, callApi, messagePattern, registerUser, ROOT, ROOT_ENV, signIn } from './support.ts'

// The admin console, driven by role and label in Chromium against a real server: users, one user's page,
// the audit log and the signing keys. The admin signs in once per test in a fresh context.

const PASSWORD = 'a long enough passphrase'
const skip = skipBrowserSuite('admin pages browser tests')

describe.skipIf(skip).each(DIALECTS)('admin pages in Chromium on %s', (dialect) => {
  let counter = 0
  const nextName = (prefix: string) => `${prefix}-${++counter}`

  const server = useTestApp(() =>
    startUiServer({
      dialect,
      env: { ...ROOT_ENV, GATEHOUSE_REGISTER_PER_IP_PER_HOUR: '1000' },
    }),
  )
  const pages = usePageScenarios(useBrowser())

  /** Runs a scenario with the admin signed in, and attaches what the browsers saw when it fails. */
  const asAdmin = (body: (page: Page) => Promise<void>) =>
    pages.scenario(async (page) => {
      await signIn(page, server.baseUrl, ROOT)
      await body(page)
    })

  const openUser = async (page: Page, username: string) => {
    await page.goto(`${server.baseUrl}/ui/admin`)
    await page.getByLabel('Username starts with').fill(username)
    await page.getByRole('button', { name: 'Search' }).click()
    await page.getByRole('link', { name: username, exact: true }).click()
    await page.getByRole('heading', { level: 1, name: `User ${username}` }).waitFor()
  }

  const userTable = (page: Page) => page.getByRole('table', { name: 'Users, oldest first' })

  it('finds users by name, role and status, and pages through them', () =>
    asAdmin(async (page) => {
      const prefix = `pager${dialect}`
      for (let index = 0; index < 22; index += 1)
        await registerUser(server.baseUrl, `${prefix}-${index}`, PASSWORD)
      await page.getByRole('link', { name: 'Admin' }).click()
      await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor()

      await page.getByLabel('Username starts with').fill(prefix.toUpperCase())
      await page.getByRole('button', { name: 'Search' }).click()
      // 20 a page, oldest first, plus the header row. The unfiltered first page (root and 19 of these)
      // has as many rows, so wait for the filtered one by its first name before counting.
      await expect.poll(() => userTable(page).getByRole('link').first().innerText()).toBe(`${prefix}-0`)
      await expect.poll(() => userTable(page).getByRole('row').count()).toBe(21)
      await page.getByRole('button', { name: 'Next page' }).click()
      await expect.poll(() => userTable(page).getByRole('row').count()).toBe(3)
      expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true)
      await page.getByRole('button', { name: 'Previous page' }).click()
      await expect.poll(() => userTable(page).getByRole('row').count()).toBe(21)

      await page.getByLabel('Username starts with').fill('')
      await page.getByLabel('Role').fill('admin')
      await page.getByRole('button', { name: 'Search' }).click()
      await expect.poll(() => userTable(page).getByRole('link').allInnerTexts()).toEqual([ROOT.username])

      await page.getByLabel('Role').fill('')
      await page.getByLabel('Status').selectOption({ label: 'Disabled' })
      await page.getByRole('button', { name: 'Search' }).click()
      await page.getByText('No user matches.').waitFor()
    }))

  it('promotes a user; the last admin cannot demote themself, and the error is next to the role field', () =>
    asAdmin(async (page) => {
      const username = nextName('promoted')
      await registerUser(server.baseUrl, username, PASSWORD)
      // Demoting root while root is the only admin: refused with the API's detail on the field.
      await openUser(page, ROOT.username)
      const roleSection = page.getByRole('region', { name: 'Role' })
      await roleSection.getByLabel('Role').fill('user')
      await roleSection.getByRole('button', { name: 'Change role' }).click()
      await expect.poll(() => roleSection.getByLabel('Role').getAttribute('aria-invalid')).toBe('true')
      expect(await roleSection.innerText()).toContain('This is the last enabled admin')

      await openUser(page, username)
      await roleSection.getByLabel('Role').fill('admin')
      await roleSection.getByRole('button', { name: 'Change role' }).click()
      await expect
        .poll(() => page.getByRole('status').first().innerText())
        .toBe('The role is now admin. It applies from the user’s next request.')
      const tokens = await apiLogin(server.baseUrl, username, PASSWORD)
      expect((await callApi(server.baseUrl, 'GET', '/admin/', { token: tokens.access })).status).toBe(200)
      // Unknown roles are refused by the API, which names the known ones.
      await roleSection.getByLabel('Role').fill('wizard')
      await roleSection.getByRole('button', { name: 'Change role' }).click()
      await expect.poll(() => roleSection.innerText()).toContain('Unknown role "wizard"')
    }))

  it('disables a user: their open page is signed out at its next request; enabling lets them back in', () =>
    asAdmin(async (page) => {
      const username = nextName('disabled')
      await registerUser(server.baseUrl, username, PASSWORD)
      const user = await pages.open()
      await signIn(user.page, server.baseUrl, { username, password: PASSWORD })

      await openUser(page, username)
      await page.getByRole('button', { name: 'Disable account…' }).click()
      const dialog = page.getByRole('dialog', { name: `Disable ${username}?` })
      expect(await dialog.innerText()).toContain('signed out everywhere at once')
      await dialog.getByRole('button', { name: 'Disable', exact: true }).click()
      await expect
        .poll(() => page.getByRole('status').first().innerText())
        .toBe('The account is disabled and its sessions have ended.')
      await expect.poll(() => page.getByRole('region', { name: 'Details' }).innerText()).toContain('Disabled')

      // The user's page still shows their account, but its next call is refused, and so is the cookie.
      const profile = user.page.getByRole('region', { name: 'Profile' })
      await profile.getByLabel('New username').fill(`${username}-x`)
      await profile.getByLabel('Current password').fill(PASSWORD)
      await profile.getByRole('button', { name: 'Change username' }).click()
      await user.page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor()
      await expect
        .poll(() => user.page.getByRole('status').innerText())
        .toBe('Your session has ended. Sign in again.')

      await page.getByRole('button', { name: 'Enable account' }).click()
      await expect.poll(() => page.getByRole('status').first().innerText()).toBe('The account is enabled.')
      await signIn(user.page, server.baseUrl, { username, password: PASSWORD })
    }))

  it('resets a password (signing the user out) and ends a user’s sessions', () =>
    asAdmin(async (page) => {
      const username = nextName('reset')
      await registerUser(server.baseUrl, username, PASSWORD)
      const first = await apiLogin(server.baseUrl, username, PASSWORD)
      await openUser(page, username)
      const sessions = page.getByRole('region', { name: 'Sessions' })
      await expect.poll(() => sessions.getByRole('row').count()).toBe(2)

      const reset = page.getByRole('region', { name: 'Reset password' })
      await reset.getByLabel('New password').fill('short')
      await reset.getByRole('button', { name: 'Set password' }).click()
      await expect.poll(() => reset.innerText()).toContain('Password must be at least 8 characters')
      await reset.getByLabel('New password').fill('the new passphrase here')
      await reset.getByRole('button', { name: 'Set password' }).click()
      await expect
        .poll(() => page.getByRole('status').first().innerText())
        .toBe('Password set. Sessions ended: 1.')
      expect((await callApi(server.baseUrl, 'GET', '/profile', { token: first.access })).status).toBe(401)
      await expect.poll(() => sessions.innerText()).toContain('No live sessions.')

      await apiLogin(server.baseUrl, username, 'the new passphrase here')
      await apiLogin(server.baseUrl, username, 'the new passphrase here')
      await page.reload()
      await expect.poll(() => sessions.getByRole('row').count()).toBe(3)
      await sessions.getByRole('button', { name: 'End all sessions' }).click()
      await expect.poll(() => page.getByRole('status').first().innerText()).toBe('Sessions ended: 2.')
    }))

  it('reads the audit log with filters, and a user’s own trail', () =>
    asAdmin(async (page) => {
      const username = nextName('audited')
      const id = await registerUser(server.baseUrl, username, PASSWORD)
      await callApi(server.baseUrl, 'POST', '/login', { body: { username, password: 'wrong password!' } })
      await page.goto(`${server.baseUrl}/ui/admin/audit`)
      const table = page.getByRole('table', { name: 'Events, newest first' })
      await table.waitFor()
      await page.getByLabel('Action').selectOption('login.failure')
      await page.getByLabel('Target (user id)').fill(id)
      await page.getByRole('button', { name: 'Show events' }).click()
      await expect.poll(() => table.getByRole('row').count()).toBe(2)
      const row = table.getByRole('row').nth(1)
      expect(await row.innerText()).toContain('login.failure')
      expect(await row.innerText()).toContain('Failure')
      expect(await row.innerText()).toContain('reason: wrong_password')

      // A user id in the log leads to that user's page, whose trail lists what happened to them.
      await row.getByRole('link', { name: id }).click()
      await page.getByRole('heading', { level: 1, name: `User ${username}` }).waitFor()
      const trail = page.getByRole('table', { name: 'Events about this user, newest first' })
      await expect.poll(() => trail.innerText()).toContain('user.register')
      expect(await trail.innerText()).toContain('login.failure')
    }))

  it('rotates the signing key, then retires the old one after a warning; the admin stays signed in', () =>
    asAdmin(async (page) => {
      await page.goto(`${server.baseUrl}/ui/admin/keys`)
      const table = page.getByRole('table', { name: 'Keys, newest first' })
      const active = table.getByRole('row').filter({ hasText: 'Active (signing)' })
      await active.waitFor()
      const oldKid = (await active.getByRole('cell').first().innerText()).trim()

      await page.getByRole('button', { name: 'Rotate now…' }).click()
      const rotate = page.getByRole('dialog', { name: 'Rotate the signing key now?' })
      expect(await rotate.innerText()).toContain('nobody is signed out')
      await rotate.getByRole('button', { name: 'Rotate now' }).click()
      await expect
        .poll(() => page.getByRole('status').first().innerText())
        .toMatch(/^Key .+ signs from now on\.$/)
      await expect.poll(() => table.getByRole('row').count()).toBe(3)
      const oldRow = table.getByRole('row').filter({ hasText: oldKid })
      expect(await oldRow.innerText()).toContain('Retired (verifies until published-until)')

      await oldRow.getByRole('button', { name: messagePattern('Retire key {kid}') }).click()
      const retire = page.getByRole('dialog', { name: 'Retire this key?' })
      expect(await retire.innerText()).toContain('Retiring ends every token this key signed')
      await retire.getByRole('button', { name: 'Retire the key' }).click()
      await expect.poll(() => page.getByRole('status').first().innerText()).toBe(`Key ${oldKid} is retired.`)
      await expect.poll(() => oldRow.innerText()).toContain('Expired (verifies nothing)')

      // The admin's access token was signed by the retired key and is now refused; the page renews it
      // from the refresh cookie and carries on.
      await page.getByRole('link', { name: 'Users' }).click()
      await userTable(page).waitFor()
      const rotations = await server.app.services.db
        .selectFrom('audit_events')
        .select(['actor_user_id', 'details'])
        .where('action', '=', 'key.rotate')
        .where('actor_user_id', 'is not', null)
        .execute()
      expect(rotations).toHaveLength(2)
    }))

  it('deletes a user after confirmation', () =>
    asAdmin(async (page) => {
      const username = nextName('deleted')
      await registerUser(server.baseUrl, username, PASSWORD)
      await openUser(page, username)
      await page.getByRole('button', { name: 'Delete user…' }).click()
      const dialog = page.getByRole('dialog', { name: `Delete ${username}?` })
      await dialog.getByRole('button', { name: 'Cancel' }).click()
      await expect.poll(() => dialog.isVisible()).toBe(false)
      await page.getByRole('button', { name: 'Delete user…' }).click()
      await dialog.getByRole('button', { name: 'Delete permanently' }).click()
      await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor()
      const login = await callApi(server.baseUrl, 'POST', '/login', {
        body: { username, password: PASSWORD },
      })
      expect(login.status).toBe(401)
    }))

  it('tells a signed-in user who is not an admin that the console is for administrators', async () => {
    const username = nextName('curious')
    await registerUser(server.baseUrl, username, PASSWORD)
    const ui = await pages.open()
    await signIn(ui.page, server.baseUrl, { username, password: PASSWORD })
    expect(await ui.page.getByRole('link', { name: 'Admin' }).count()).toBe(0)
    await ui.page.goto(`${server.baseUrl}/ui/admin/keys`)
    await ui.page.getByRole('heading', { level: 1, name: 'Administrators only' }).waitFor()
    expect(ui.problems).toEqual([])
  })
})
