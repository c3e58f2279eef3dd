import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { en } from '../../ui/src/i18n/en.ts'
import { ko } from '../../ui/src/i18n/ko.ts'
import {
  checkAccessibility,
  layoutShift,
  openPage,
  skipBrowserSuite,
  startUiServer,
} from '../helpers/browser.ts'
import { removeDirectory, temporaryDirectory } from '../helpers/files.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { PASSES, walkPass } from '../helpers/page-walk.ts'
import { useBrowser, withProblems } from '../helpers/pages.ts'
import { apiLogin, messagePattern, registerUser, ROOT, ROOT_ENV } from './support.ts'

// Every page, in both languages: axe-core finds no violation (WCAG 2.2 A and AA plus best practices), and
// at a desktop width and at 360 px nothing scrolls sideways and nothing moves on its own once shown.
// Locators come from the message catalogs, so the same walk runs in English and Korean.
// GATEHOUSE_SCREENSHOTS=1 also writes the README's screenshots to docs/screenshots/. The second-factor
// pages have a walk of their own, in accessibility-factors.test.ts.

const skip = skipBrowserSuite('page accessibility tests')

describe.skipIf(skip)('every page is accessible, fits 360 px and does not shift', () => {
  const outbox = temporaryDirectory('ui-outbox')
  afterAll(() => removeDirectory(outbox))
  const server = useTestApp(() =>
    startUiServer({
      env: {
        ...ROOT_ENV,
        // No SMTP server here: the verification messages go to files, in a folder of this test's own.
        GATEHOUSE_OUTBOX_DIR: outbox,
      },
    }),
  )
  const browser = useBrowser()
  beforeAll(async () => {
    // Something to list: users, one disabled, and their sign-ins in the audit log.
    for (const name of ['ada', 'grace', 'linus']) {
      await registerUser(server.baseUrl, name, 'a long enough passphrase')
      await apiLogin(server.baseUrl, name, 'a long enough passphrase')
    }
  })
  it.each(PASSES)(
    '$language at $width px',
    (pass) =>
      walkPass(browser(), pass, async ({ language, messages, page, t, heading, check }) => {
        await page.goto(`${server.baseUrl}/ui/login`)
        await heading(t('login.title'))
        expect(await page.evaluate<string>('document.documentElement.lang')).toBe(language)
        await check('login')

        // Errors shown in place are part of the page too.
        await page.getByRole('button', { name: t('login.submit'), exact: true }).click()
        await page.getByText(t('field.required')).first().waitFor()
        await check('login-errors')

        await page.getByRole('link', { name: t('login.registerLink') }).click()
        await heading(t('register.title'))
        await check('register')

        await page.getByRole('link', { name: t('register.signInLink') }).click()
        await heading(t('login.title'))
        await page.getByRole('link', { name: t('login.forgotLink') }).click()
        await heading(t('forgot.title'))
        await check('forgot-password')

        await page.getByRole('link', { name: t('forgot.haveCode') }).click()
        await heading(t('reset.title'))
        await page.getByLabel(t('field.email')).waitFor()
        await check('reset-password-code')

        // From an emailed link: the token is in the fragment, and the page only offers the button.
        await page.goto(`${server.baseUrl}/ui/reset-password#token=not-a-real-token`)
        await heading(t('reset.title'))
        await page.getByText(t('reset.explainLink')).waitFor()
        // Read once, the token leaves the address bar (and so the history).
        expect(page.url()).toBe(`${server.baseUrl}/ui/reset-password`)
        await check('reset-password-link')

        await page.goto(`${server.baseUrl}/ui/verify-email#token=not-a-real-token`)
        await heading(t('verify.title'))
        await page.getByRole('button', { name: t('verify.submit') }).waitFor()
        await check('verify-email')

        await page.goto(`${server.baseUrl}/ui/nowhere`)
        await heading(t('notFound.title'))
        await check('not-found')

        await page.goto(`${server.baseUrl}/ui/login`)
        await page.getByLabel(t('field.username')).fill(ROOT.username)
        await page.getByLabel(t('field.password'), { exact: true }).fill(ROOT.password)
        await page.getByRole('button', { name: t('login.submit'), exact: true }).click()
        await heading(t('account.title'))
        await page.getByRole('table', { name: t('sessions.caption') }).waitFor()
        await check('account')

        await page.getByRole('button', { name: t('delete.open') }).click()
        await page.getByRole('dialog', { name: t('delete.dialogTitle') }).waitFor()
        await check('account-delete')
        await page.keyboard.press('Escape')

        await page.getByRole('link', { name: t('nav.admin') }).click()
        await heading(t('admin.usersTitle'))
        await page.getByRole('link', { name: 'grace' }).waitFor()
        await check('admin-users')

        await page.getByRole('link', { name: 'grace' }).click()
        await heading(messages['user.title'].replace('{username}', 'grace'))
        await page
          .getByRole('table', { name: messages['user.sessionsCaption'].replace('{username}', 'grace') })
          .waitFor()
        await check('admin-user')

        await page.getByRole('link', { name: t('admin.audit') }).click()
        await heading(t('admin.auditTitle'))
        await page.getByRole('table', { name: t('audit.caption') }).waitFor()
        await check('admin-audit')

        await page.getByRole('link', { name: t('admin.keys') }).click()
        await heading(t('admin.keysTitle'))
        await page.getByRole('table', { name: t('keys.caption') }).waitFor()
        await check('admin-keys')

        await page
          .getByRole('button', { name: messagePattern(t('keys.retireLabel')) })
          .first()
          .click()
        await page.getByRole('dialog', { name: t('keys.retireTitle') }).waitFor()
        await check('admin-keys-retire')
        await page.getByRole('button', { name: t('common.cancel') }).click()
      }),
    120_000,
  )

  it('the language switch changes every string at once, keeps the session, and is remembered', async () => {
    const { context, page, problems } = await openPage(browser(), { locale: 'en-US' })
    try {
      await page.goto(`${server.baseUrl}/ui/login`)
      await page.getByLabel(en['field.username']).fill(ROOT.username)
      await page.getByLabel(en['field.password'], { exact: true }).fill(ROOT.password)
      await page.getByRole('button', { name: en['login.submit'], exact: true }).click()
      await page.getByRole('heading', { level: 1, name: en['account.title'] }).waitFor()

      await page.getByLabel(en['nav.language']).selectOption('ko')
      await page.getByRole('heading', { level: 1, name: ko['account.title'] }).waitFor()
      expect(await page.evaluate<string>('document.documentElement.lang')).toBe('ko')
      // Still signed in: the switch re-rendered the page, it did not reload it.
      await page.getByRole('button', { name: ko['nav.signOut'] }).waitFor()
      expect(await visibleText(page)).not.toContain(en['security.heading'])

      // The choice is a plain preference cookie the server reads on the next load, whatever the browser
      // asks; the load keeps the session too (the refresh cookie).
      await page.goto(`${server.baseUrl}/ui/account`)
      await page.getByRole('heading', { level: 1, name: ko['account.title'] }).waitFor()
      const language = (await context.cookies()).find((cookie) => cookie.name === 'gatehouse_lang')
      expect(language).toMatchObject({ value: 'ko', httpOnly: false, path: '/ui', sameSite: 'Lax' })
      expect(problems).toEqual([])
    } catch (error) {
      throw withProblems(problems, error)
    } finally {
      await context.close()
    }
  })

  it('the checks can fail: axe reports an unlabelled field, a late banner counts as a shift, the CSP blocks inline code', async () => {
    const { context, page, problems } = await openPage(browser())
    try {
      await page.goto(`${server.baseUrl}/ui/login`)
      await page.getByRole('heading', { level: 1, name: en['login.title'] }).waitFor()
      await page.evaluate(`document.querySelector('main').append(document.createElement('input'))`)
      expect((await checkAccessibility(page)).map((violation) => violation.id)).toContain('label')

      // Content pushed down without any input from the person is exactly what the shift check is for.
      await page.evaluate(`
        const banner = document.createElement('p')
        banner.textContent = 'late banner'
        banner.className = 'alert alert-info'
        document.querySelector('main').prepend(banner)
      `)
      expect(await layoutShift(page)).toBeGreaterThan(0.01)

      // An injected inline handler does not run: the page's CSP refuses it, and says so.
      await page.evaluate(
        `document.body.insertAdjacentHTML('beforeend', '<img src="/nope" onerror="document.title = \\'pwned\\'">')`,
      )
      await expect
        .poll(() => problems.some((problem) => problem.includes('Content Security Policy')))
        .toBe(true)
      expect(await page.title()).not.toBe('pwned')
    } finally {
      await context.close()
    }
  })
})

async function visibleText(page: Page): Promise<string> {
  return page.locator('body').innerText()
}
