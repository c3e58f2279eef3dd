import { describe, expect, it } from 'vitest'
import { skipBrowserSuite, startUiServer } from '../helpers/browser.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { useRunning, useTestApp } from '../helpers/hooks.ts'
import { useBrowser, usePageScenarios } from '../helpers/pages.ts'
import { startMailbox } from './mailbox.ts'
import { apiLogin, callApi, defined, signIn } from './support.ts'

// The email pages in Chromium against a real server that sends through a real SMTP server started by the
// test: every link and code is read from the message that arrived. The links open a page; nothing
// changes until its button is pressed.

const PASSWORD = 'a long enough passphrase'
const skip = skipBrowserSuite('email pages browser tests')

/** The link to a page in a message, and its 6-digit code. */
function linkIn(text: string, page: 'verify-email' | 'reset-password'): string {
  const match = new RegExp(`https?://\\S+/ui/${page}#token=[A-Za-z0-9_-]+`).exec(text)
  return defined(match?.[0], `a /ui/${page} link in:\n${text}`)
}
function codeIn(text: string): string {
  return defined(/(?<![\d-])(\d{6})(?!\d)/.exec(text)?.[1], `a 6-digit code in:\n${text}`)
}

describe.skipIf(skip).each(DIALECTS)('email pages in Chromium on %s', (dialect) => {
  let counter = 0
  const nextName = (prefix: string) => `${prefix}-${dialect}-${++counter}`

  const mailbox = useRunning(startMailbox)
  const server = useTestApp(() =>
    startUiServer({
      dialect,
      env: {
        ...mailbox.env,
        GATEHOUSE_REGISTER_PER_IP_PER_HOUR: '1000',
        GATEHOUSE_MAIL_PER_IP_PER_HOUR: '1000',
      },
    }),
  )
  const pages = usePageScenarios(useBrowser())
  const { scenario } = pages

  /** The profile as the API has it, through a sign-in of its own. */
  const profileOf = async (username: string, password = PASSWORD) => {
    const { access } = await apiLogin(server.baseUrl, username, password)
    return (await callApi(server.baseUrl, 'GET', '/profile', { token: access })).body
  }

  /**
   * An account with a verified address, set up through the API: registering sends the first
   * verification message, whose code confirms the address.
   */
  const verifiedAccount = async (username: string, email: string) => {
    const created = await callApi(server.baseUrl, 'POST', '/register', {
      body: { username, password: PASSWORD, email },
    })
    expect(created.status).toBe(201)
    const code = codeIn(await mailbox.next(email))
    const { access } = await apiLogin(server.baseUrl, username, PASSWORD)
    const verified = await callApi(server.baseUrl, 'POST', '/email/verify', { token: access, body: { code } })
    expect(verified.body).toMatchObject({ email, email_verified: true })
  }

  it('registers with an address, verifies it from the emailed link only when the button is pressed, and signs in by email', () =>
    scenario(async (page) => {
      const username = nextName('mailer')
      const email = `${username}@example.test`
      await page.goto(`${server.baseUrl}/ui/register`)
      await page.getByLabel('Username').fill(username)
      await page.getByLabel('Email address').fill(email)
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
      await page.getByLabel('Repeat the password').fill(PASSWORD)
      await page.getByRole('button', { name: 'Create account' }).click()
      await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor()

      const section = page.getByRole('region', { name: 'Email address' })
      await expect.poll(() => section.innerText()).toContain(email)
      expect(await section.innerText()).toContain('Not verified')
      // Registering sent the first message; asking again sends a new one, and only the newest works.
      const first = linkIn(await mailbox.next(email), 'verify-email')
      await section.getByRole('button', { name: 'Send verification message' }).click()
      await expect
        .poll(() => section.getByRole('status').innerText())
        .toBe(`A message with a link and a code is on its way to ${email}.`)
      const link = linkIn(await mailbox.next(email), 'verify-email')
      expect(link.startsWith(`${server.baseUrl}/ui/verify-email#token=`)).toBe(true)
      expect(link).not.toBe(first)

      // Opening the link (as a mail scanner would) changes nothing: only the button does.
      const visitor = await pages.open()
      await visitor.page.goto(link)
      await visitor.page.getByRole('button', { name: 'Verify my address' }).waitFor()
      expect((await profileOf(username)).email_verified).toBe(false)
      await visitor.page.getByRole('button', { name: 'Verify my address' }).click()
      await expect
        .poll(() => visitor.page.getByRole('status').first().innerText())
        .toBe(`The address ${email} is verified.`)
      expect((await profileOf(username)).email_verified).toBe(true)

      await page.reload()
      await expect.poll(() => section.innerText()).toContain('Verified')
      await page.getByRole('button', { name: 'Sign out' }).click()
      await signIn(page, server.baseUrl, { username: email, password: PASSWORD })
    }))

  it('recovers a forgotten password by the link and by the code; an unknown account gets the same answer', () =>
    scenario(async (page) => {
      const username = nextName('forgetful')
      const email = `${username}@example.test`
      await verifiedAccount(username, email)

      const ask = async (identifier: string) => {
        await page.goto(`${server.baseUrl}/ui/login`)
        await page.getByRole('link', { name: 'Forgot your password?' }).click()
        await page.getByRole('heading', { level: 1, name: 'Forgot your password' }).waitFor()
        await page.getByLabel('Username or email').fill(identifier)
        await page.getByRole('button', { name: 'Send reset link' }).click()
        return page.getByRole('status').first().innerText()
      }
      const unknown = await ask('nobody-here@example.test')
      expect(await ask(email)).toBe(unknown)
      const link = linkIn(await mailbox.next(email), 'reset-password')

      await page.goto(link)
      await page.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor()
      const first = 'a brand new passphrase'
      await page.getByLabel('New password', { exact: true }).fill(first)
      await page.getByLabel('Repeat the new password').fill(first)
      await page.getByRole('button', { name: 'Set new password' }).click()
      await expect
        .poll(() => page.getByRole('status').first().innerText())
        .toBe('Your password is changed, and every session of your account has been signed out.')
      // The "your password was changed" notice follows.
      expect(await mailbox.next(email)).toContain('was just changed')
      await page.getByRole('link', { name: 'Sign in with the new password' }).click()
      await page.getByLabel('Username or email').fill(username)
      await page.getByLabel('Password', { exact: true }).fill(first)
      await page.getByRole('button', { name: 'Sign in', exact: true }).click()
      await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor()
      await page.getByRole('button', { name: 'Sign out' }).click()
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor()

      // The second way in: the code from the message, typed with the address.
      await ask(username)
      const code = codeIn(await mailbox.next(email))
      await page.goto(`${server.baseUrl}/ui/reset-password`)
      await page.getByLabel('Email address').fill(email)
      const codeField = page.getByLabel('6-digit code from the message')
      await codeField.fill(code === '000000' ? '111111' : '000000')
      const second = 'a second new passphrase'
      await page.getByLabel('New password', { exact: true }).fill(second)
      await page.getByLabel('Repeat the new password').fill(second)
      await page.getByRole('button', { name: 'Set new password' }).click()
      await expect.poll(() => codeField.getAttribute('aria-invalid')).toBe('true')
      await codeField.fill(code)
      await page.getByRole('button', { name: 'Set new password' }).click()
      await page.getByRole('link', { name: 'Sign in with the new password' }).click()
      await signIn(page, server.baseUrl, { username: email, password: second })
    }))

  it('verifies an address with the code on /ui/verify-email when signed in', () =>
    scenario(async (page) => {
      const username = nextName('coder')
      const email = `${username}@example.test`
      const created = await callApi(server.baseUrl, 'POST', '/register', {
        body: { username, password: PASSWORD, email },
      })
      expect(created.status).toBe(201)
      const code = codeIn(await mailbox.next(email))
      await signIn(page, server.baseUrl, { username, password: PASSWORD })
      await page.goto(`${server.baseUrl}/ui/verify-email`)
      await page.getByRole('heading', { level: 1, name: 'Verify your email address' }).waitFor()
      await page.getByLabel('6-digit code from the message').fill(code)
      await page.getByRole('button', { name: 'Verify', exact: true }).click()
      await expect
        .poll(() => page.getByRole('status').first().innerText())
        .toBe(`The address ${email} is verified.`)
      await page.getByRole('link', { name: 'Go to your account' }).click()
      const section = page.getByRole('region', { name: 'Email address' })
      await expect.poll(() => section.innerText()).toContain('Verified')
    }))

  it('changes the address from the account page; the code sent to the new address confirms it', () =>
    scenario(async (page) => {
      const username = nextName('mover')
      const old = `${username}@example.test`
      const next = `${username}@new.example.test`
      await verifiedAccount(username, old)
      await signIn(page, server.baseUrl, { username, password: PASSWORD })
      const section = page.getByRole('region', { name: 'Email address' })
      await section.getByLabel('New email address').fill(next)
      await section.getByLabel('Current password').fill(PASSWORD)
      await section.getByRole('button', { name: 'Send confirmation' }).click()
      await expect.poll(() => section.getByRole('status').innerText()).toContain(next)
      const code = codeIn(await mailbox.next(next))
      expect((await profileOf(username)).email).toBe(old)
      await section.getByLabel('6-digit code from the message').fill(code)
      await section.getByRole('button', { name: 'Verify', exact: true }).click()
      await expect
        .poll(() => section.getByRole('status').innerText())
        .toBe(`The address ${next} is verified.`)
      expect(await profileOf(username)).toMatchObject({ email: next, email_verified: true })
    }))
})
