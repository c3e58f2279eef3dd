import type { Browser, BrowserContext, Page } from 'playwright-core'
import { expect } from 'vitest'
import { en } from '../../ui/src/i18n/en.ts'
import { ko } from '../../ui/src/i18n/ko.ts'
import { checkAccessibility, horizontalOverflow, layoutShift, openPage, saveScreenshot } from './browser.ts'
import { withProblems } from './pages.ts'

// What the accessibility walks share: the passes (language and width), the page each pass walks on, and
// the checks made on every page.

/** Each walk runs in both languages, at a desktop width and at 360 px. */
export const PASSES = [
  { language: 'en', locale: 'en-US', messages: en, width: 1024 },
  { language: 'ko', locale: 'ko-KR', messages: ko, width: 1024 },
  { language: 'en', locale: 'en-US', messages: en, width: 360 },
  { language: 'ko', locale: 'ko-KR', messages: ko, width: 360 },
] as const

/** Which screenshots the README shows: every page in English on a desktop, a few in Korean and on a phone. */
const README_SHOTS = new Set([
  'en-1024-login',
  'en-1024-register',
  'en-1024-forgot-password',
  'en-1024-reset-password-code',
  'en-1024-verify-email',
  'ko-1024-forgot-password',
  'en-1024-login-second-factor',
  'en-1024-account-totp-setup',
  'en-1024-account-recovery-codes',
  'en-1024-account-step-up',
  'en-1024-account',
  'en-1024-account-delete',
  'en-1024-admin-users',
  'en-1024-admin-user',
  'en-1024-admin-audit',
  'en-1024-admin-keys',
  'en-1024-admin-keys-retire',
  'ko-1024-login',
  'ko-1024-account',
  'en-360-account',
  'ko-360-admin-users',
])

/**
 * The checks on a page as it is now: axe-core (on the desktop passes: its rules do not depend on the
 * width, and it is the slow part), no sideways scrolling, no layout shift; and the README's screenshot
 * when `shot` (`<language>-<width>-<name>`) is one of them.
 */
export async function checkPage(page: Page, shot: string, width: number): Promise<void> {
  if (width > 360) expect(await checkAccessibility(page), `axe on ${shot}`).toEqual([])
  expect(await horizontalOverflow(page), `sideways scrolling on ${shot}`).toBe(0)
  expect(await layoutShift(page), `layout shift on ${shot}`).toBeLessThan(0.01)
  if (README_SHOTS.has(shot)) await saveScreenshot(page, shot)
}

/** One pass of a walk, as its body sees it: the pass, its page, and shorthands in its language. */
export type WalkPass = (typeof PASSES)[number] & {
  context: BrowserContext
  page: Page
  problems: string[]
  /** The pass's message for a catalog key. */
  t: (key: keyof typeof en) => string
  /** Waits for the level-1 heading named exactly `name`. */
  heading: (name: string) => Promise<void>
  /** checkPage on the page as it is now, its screenshot named `<language>-<width>-<name>`. */
  check: (name: string) => Promise<void>
}

/**
 * Walks `body` on a fresh page in the pass's language and width, then expects the page to have seen no
 * problem; a failure carries what it saw. The page's context is closed either way.
 */
export async function walkPass(
  browser: Browser,
  pass: (typeof PASSES)[number],
  body: (walk: WalkPass) => Promise<void>,
): Promise<void> {
  const { language, locale, messages, width } = pass
  const { context, page, problems } = await openPage(browser, { locale, width })
  const walk: WalkPass = {
    ...pass,
    context,
    page,
    problems,
    t: (key) => messages[key],
    heading: (name) => page.getByRole('heading', { level: 1, name, exact: true }).waitFor(),
    check: (name) => checkPage(page, `${language}-${width}-${name}`, width),
  }
  try {
    await body(walk)
    expect(problems, 'console errors, CSP violations or failed requests').toEqual([])
  } catch (error) {
    throw withProblems(problems, error)
  } finally {
    await context.close()
  }
}
