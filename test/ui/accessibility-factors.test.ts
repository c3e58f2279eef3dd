import { afterAll, describe, expect, it } from 'vitest'
import { skipBrowserSuite, startUiServer } from '../helpers/browser.ts'
import { removeDirectory, temporaryDirectory } from '../helpers/files.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { PASSES, walkPass } from '../helpers/page-walk.ts'
import { useBrowser } from '../helpers/pages.ts'
import { callApi, totpCode } from './support.ts'

// The account pages with an email address and second factors, in both languages, at a desktop width
// and at 360 px, with the checks of every page (axe-core, sideways scrolling, layout shift): the address
// not yet verified, the authenticator app's set-up with its QR code, the recovery codes, the step-up
// prompt, and the sign-in's second step with a code and with a recovery code.

const skip = skipBrowserSuite('second-factor page accessibility tests')
const PASSWORD = 'a long enough passphrase'
// Short, so the step-up prompt can be reached by moving the server's clock.
const REAUTH_MAX_AGE = 120

describe.skipIf(skip)('the email and second-factor pages are accessible, fit 360 px and do not shift', () => {
  const outbox = temporaryDirectory('ui-outbox')
  afterAll(() => removeDirectory(outbox))
  const server = useTestApp(() =>
    startUiServer({
      env: {
        GATEHOUSE_REAUTH_MAX_AGE: String(REAUTH_MAX_AGE),
        // No SMTP server here: the verification messages go to files, in a folder of this test's own.
        GATEHOUSE_OUTBOX_DIR: outbox,
      },
    }),
  )
  const browser = useBrowser()

  it.each(PASSES)(
    '$language at $width px',
    (pass) =>
      walkPass(browser(), pass, async ({ language, width, page, t, heading, check }) => {
        const username = `factor-${language}-${width}`
        // With an address not yet verified, so the account page shows its state and the code form.
        const created = await callApi(server.baseUrl, 'POST', '/register', {
          body: { username, password: PASSWORD, email: `${username}@example.test` },
        })
        expect(created.status).toBe(201)
        await page.goto(`${server.baseUrl}/ui/login`)
        await page.getByLabel(t('field.usernameOrEmail')).fill(username)
        await page.getByLabel(t('field.password'), { exact: true }).fill(PASSWORD)
        await page.getByRole('button', { name: t('login.submit'), exact: true }).click()
        await heading(t('account.title'))
        const email = page.getByRole('region', { name: t('email.heading') })
        await email.getByText(t('email.unverifiedBadge')).waitFor()
        await email.getByLabel(t('email.code')).waitFor()
        const app = page.getByRole('region', { name: t('totp.heading') })
        await app.getByLabel(t('field.currentPassword')).fill(PASSWORD)
        await app.getByRole('button', { name: t('totp.start') }).click()
        await app.getByRole('img', { name: t('totp.qrLabel') }).waitFor()
        await check('account-totp-setup')

        const secret = (await app.locator('code.secret').innerText()).trim()
        await app.getByLabel(t('totp.code')).fill(totpCode(secret, server.clock.now()))
        await app.getByRole('button', { name: t('totp.confirm') }).click()
        await app.getByRole('list', { name: t('recovery.listLabel') }).waitFor()
        await check('account-recovery-codes')
        await app.getByRole('button', { name: t('recovery.saved') }).click()
        await app.getByRole('button', { name: t('totp.regenerate') }).waitFor()
        await check('account-factors')

        // An old sign-in: the next sensitive change asks to confirm it is you.
        server.clock.advanceSeconds(REAUTH_MAX_AGE + 1)
        await app.getByRole('button', { name: t('totp.regenerate') }).click()
        await page.getByRole('dialog', { name: t('stepUp.title') }).waitFor()
        await check('account-step-up')
        await page.keyboard.press('Escape')

        await page.getByRole('button', { name: t('nav.signOut') }).click()
        await heading(t('login.title'))
        await page.getByLabel(t('field.usernameOrEmail')).fill(username)
        await page.getByLabel(t('field.password'), { exact: true }).fill(PASSWORD)
        await page.getByRole('button', { name: t('login.submit'), exact: true }).click()
        await heading(t('mfa.title'))
        await check('login-second-factor')
        await page.getByRole('button', { name: t('mfa.useRecovery') }).click()
        await page.getByLabel(t('mfa.recoveryLabel')).waitFor()
        await check('login-recovery-code')
      }),
    120_000,
  )
})
