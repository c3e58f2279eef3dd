import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect } from 'vitest'
import { launchBrowser, openPage, type UiPage } from './browser.ts'

// The scaffolding every page suite shares: Chromium for the block, and scenarios whose pages are checked
// for problems, explained when they fail, and closed after the test.

/** Fails with the browser's problems attached, so a failure says what the page saw. */
export function withProblems(problems: string[], error: unknown): Error {
  return new Error(`${(error as Error).message}\nbrowser problems:\n${problems.join('\n') || '(none)'}`, {
    cause: error,
  })
}

/** Launches Chromium before the enclosing block and closes it after; call the result for the browser. */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined
  beforeAll(async () => {
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
  })
  return () => {
    if (browser === undefined) throw new Error('the browser is not running (use it inside a test or hook)')
    return browser
  }
}

/** Pages for the tests of a block, each in a context of its own; all of them are closed after each test. */
export interface PageScenarios {
  /** Opens one more page (another person, another device), checked and closed with the scenario's. */
  open: () => Promise<UiPage>
  /**
   * Runs `body` on a fresh page. Every page the test opened must then have seen no problem; a failure
   * carries what they saw.
   */
  scenario: (body: (page: Page) => Promise<void>) => Promise<void>
}

/** Scenarios on pages of `browser` (a useBrowser result), closed in afterEach. */
export function usePageScenarios(browser: () => Browser): PageScenarios {
  const opened: UiPage[] = []
  afterEach(async () => {
    for (const ui of opened.splice(0)) await ui.context.close()
  })
  const open = async () => {
    const ui = await openPage(browser())
    opened.push(ui)
    return ui
  }
  return {
    open,
    scenario: async (body) => {
      const ui = await open()
      try {
        await body(ui.page)
        for (const each of opened) expect(each.problems, 'console errors or failed requests').toEqual([])
      } catch (error) {
        throw withProblems(
          opened.flatMap((each) => each.problems),
          error,
        )
      }
    },
  }
}
