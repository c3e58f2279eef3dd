import { createServer, type Server } from 'node:http'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestApp } from '../helpers/app.ts'
import { launchBrowser, openPage, skipBrowserSuite, startUiServer, type UiPage } from '../helpers/browser.ts'
import { withProblems } from '../helpers/pages.ts'
import { auditEventsOf } from '../helpers/rows.ts'
import { registerUser, signIn } from './support.ts'

// Attacks on the browser session from real pages in Chromium. The victim signs in to Gatehouse at
// http://127.0.0.1:A; an attacker serves pages from http://localhost:B (another site: SameSite=Strict
// keeps the cookie home) and from http://127.0.0.1:B (the same site on another port: the browser does
// send the cookie, so the Origin check and the CSRF token must stop it).

const USER = { username: 'csrf-victim', password: 'a long enough passphrase' }
const skip = skipBrowserSuite('CSRF browser tests')

/** The attacker's pages: a form that posts to Gatehouse, and scripts that fetch it with credentials. */
function attackerServer(target: string): Server {
  const pages: Record<string, string> = {
    '/form': `<form method="post" action="${target}/session/logout"><input name="x" value="1"><button>Win a prize</button></form>`,
    '/form-refresh': `<form method="post" action="${target}/session/refresh" enctype="text/plain"><button>Win a prize</button></form>`,
    '/fetch': '<p>nothing to see</p>',
  }
  return createServer((request, response) => {
    const page = pages[request.url ?? '']
    response.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' })
    response.end(page ?? '')
  })
}

describe.skipIf(skip)('CSRF against the browser session, in Chromium', () => {
  let server: TestApp & { baseUrl: string }
  let attacker: Server
  let attackerPort: number
  let browser: Browser
  let victim: UiPage

  // What the server saw of each cookie request: the browser's view of a refused cross-origin answer is
  // hidden from scripts (CORS) and from the test (the browser blocks the response), so record it here.
  const seen: Array<{
    method: string
    path: string
    status: number
    origin: string | undefined
    cookie: boolean
  }> = []

  beforeAll(async () => {
    server = await startUiServer({
      beforeListen: (app) =>
        app.addHook('onResponse', async (request, reply) => {
          if (!request.url.startsWith('/session/')) return
          seen.push({
            method: request.method,
            path: request.url,
            status: reply.statusCode,
            origin: request.headers.origin,
            cookie: (request.headers.cookie ?? '').includes('gatehouse_refresh=ghr_'),
          })
        }),
    })
    attacker = attackerServer(server.baseUrl)
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve))
    const address = attacker.address()
    attackerPort = typeof address === 'object' && address ? address.port : 0
    browser = await launchBrowser()
    await registerUser(server.baseUrl, USER.username, USER.password)
    victim = await openPage(browser)
    await signIn(victim.page, server.baseUrl, USER)
  })
  afterAll(async () => {
    await victim?.context.close()
    await browser?.close()
    await new Promise((resolve) => attacker?.close(resolve))
    await server?.close()
  })

  /** What the session has been through: refreshes and logouts recorded, and whether it is still live. */
  const sessionState = async () => {
    const events = await auditEventsOf(server.app, 'token.refresh', 'session.logout', 'session.revoke')
    const live = await server.app.services.db
      .selectFrom('sessions')
      .select('id')
      .where('revoked_at', 'is', null)
      .execute()
    return { events: events.map((event) => event.action).sort(), live: live.length }
  }

  it('a cross-site form post to /session/logout or /session/refresh is refused, and the session lives on', async () => {
    const before = await sessionState()
    const page = await victim.context.newPage()
    try {
      for (const path of ['/form', '/form-refresh']) {
        await page.goto(`http://localhost:${attackerPort}${path}`)
        const answer = page.waitForResponse((response) => response.url().startsWith(server.baseUrl))
        await page.getByRole('button', { name: 'Win a prize' }).click()
        const response = await answer
        expect(response.status(), path).toBe(403)
        expect(await response.json()).toMatchObject({ code: 'csrf_failed' })
        // SameSite=Strict: the browser did not even attach the session cookie to the other site's form.
        expect((await response.request().allHeaders()).cookie ?? '').not.toContain('gatehouse_refresh')
      }
      expect(await sessionState()).toEqual(before)
    } catch (error) {
      throw withProblems(victim.problems, error)
    } finally {
      await page.close()
    }
  })

  it('a cross-origin fetch from the same site carries the cookie and is still refused', async () => {
    const before = await sessionState()
    const page = await victim.context.newPage()
    try {
      await page.goto(`http://127.0.0.1:${attackerPort}/fetch`)
      // A simple request (no custom header) needs no CORS preflight, and on the same site SameSite=Strict
      // lets the cookie through: the Origin check is what refuses it.
      seen.length = 0
      const outcome = await page.evaluate<string>(
        `fetch('${server.baseUrl}/session/refresh', { method: 'POST', credentials: 'include' }).then(() => 'read', () => 'unreadable')`,
      )
      expect(outcome).toBe('unreadable')
      expect(seen).toEqual([
        {
          method: 'POST',
          path: '/session/refresh',
          status: 403,
          origin: `http://127.0.0.1:${attackerPort}`,
          cookie: true,
        },
      ])

      // Adding the CSRF header (which the attacker would have to guess) needs a preflight, and CORS
      // allows no other origin: the preflight fails and the browser never sends the POST.
      seen.length = 0
      const blocked = await page.evaluate<string>(
        `fetch('${server.baseUrl}/session/logout', { method: 'POST', credentials: 'include', headers: { 'gatehouse-csrf': 'guess' } }).then(() => 'sent', () => 'blocked')`,
      )
      expect(blocked).toBe('blocked')
      expect(seen.map((request) => request.method)).toEqual(['OPTIONS'])
      expect(await sessionState()).toEqual(before)
    } finally {
      await page.close()
    }
  })

  it('the victim’s own page still refreshes and signs out normally afterwards', async () => {
    const { page, problems } = victim
    try {
      await page.reload()
      await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor()
      await page.getByRole('button', { name: 'Sign out' }).click()
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor()
      const after = await sessionState()
      expect(after.live).toBe(0)
      expect(after.events).toEqual(['session.logout', 'token.refresh'])
      expect(problems).toEqual([])
    } catch (error) {
      throw withProblems(problems, error)
    }
  })
})
