import { Secret, TOTP } from 'otpauth'
import type { Page } from 'playwright-core'
import { expect, vi } from 'vitest'
import { buildUi } from '../../scripts/build-ui.ts'
import { createTestApp, type TestApp, type TestAppOptions } from '../helpers/app.ts'
import { freePort } from '../helpers/ports.ts'

// Every page test imports this file. On a loaded machine a page can take longer than vitest's default
// second to show what a poll waits for: polls wait as long as locators do (10 s, openPage's timeout).
vi.setConfig({ expect: { poll: { timeout: 10_000 } } })

/** The bootstrap admin of the page tests. */
export const ROOT = { username: 'root', password: 'root password for the pages' }

/** Environment that creates the bootstrap admin. */
export const ROOT_ENV = { GATEHOUSE_ADMIN_USERNAME: ROOT.username, GATEHOUSE_ADMIN_PASSWORD: ROOT.password }

/** Calls the API directly (as another device would), returning status and JSON body. */
export async function callApi(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; form?: Record<string, string> } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {}
  let body: string | undefined
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(options.body)
  } else if (options.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded'
    body = new URLSearchParams(options.form).toString()
  }
  if (options.token) headers.authorization = `Bearer ${options.token}`
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  })
  const text = await response.text()
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }
}

/** Registers a user through the API. */
export async function registerUser(baseUrl: string, username: string, password: string): Promise<string> {
  const { status, body } = await callApi(baseUrl, 'POST', '/register', { body: { username, password } })
  expect(status).toBe(201)
  return body.id as string
}

/** Signs in through the API, as a second device would; returns its tokens. */
export async function apiLogin(
  baseUrl: string,
  username: string,
  password: string,
): Promise<{ access: string; refresh: string }> {
  const { status, body } = await callApi(baseUrl, 'POST', '/login', { body: { username, password } })
  expect(status).toBe(200)
  return { access: body.access_token as string, refresh: body.refresh_token as string }
}

/** Signs in through the sign-in page, in English, and waits for the page it leads to. */
export async function signIn(
  page: Page,
  baseUrl: string,
  credentials: { username: string; password: string },
  landing = 'Your account',
): Promise<void> {
  await page.goto(`${baseUrl}/ui/login`)
  await page.getByLabel('Username').fill(credentials.username)
  await page.getByLabel('Password', { exact: true }).fill(credentials.password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.getByRole('heading', { level: 1, name: landing }).waitFor()
}

/** A pattern matching a catalog message whatever its `{placeholders}` are filled with. */
export function messagePattern(message: string): RegExp {
  const parts = message.split(/\{\w+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  return new RegExp(`^${parts.join('.+')}$`)
}

/** The value, or a failed test naming what was missing (instead of a non-null assertion). */
export function defined<T>(value: T | null | undefined, what = 'a value'): T {
  if (value === null || value === undefined) throw new Error(`expected ${what}`)
  return value
}

/** Counts the page's requests to a path from now on; call the result for the count so far. */
export function countRequests(page: Page, path: string): () => number {
  let count = 0
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === path) count += 1
  })
  return () => count
}

let uiBuilt: Promise<unknown> | undefined

/**
 * A page test server at `http://localhost:<port>` rather than 127.0.0.1: WebAuthn refuses an IP address
 * as the relying-party id, and browsers treat localhost as a secure context, so passkeys work over http.
 * It listens on both loopback addresses, whichever one the browser resolves localhost to.
 */
export async function startLocalhostUiServer(
  options: TestAppOptions = {},
): Promise<TestApp & { baseUrl: string }> {
  uiBuilt ??= buildUi()
  await uiBuilt
  const port = await freePort()
  const baseUrl = `http://localhost:${port}`
  const testApp = await createTestApp({ ...options, env: { GATEHOUSE_ISSUER: baseUrl, ...options.env } })
  await testApp.app.listen({ host: 'localhost', port })
  return { ...testApp, baseUrl }
}

/** The current TOTP code for a base32 secret at the server's (manual) clock time. */
export function totpCode(secret: string, now: number): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({
    timestamp: now,
  })
}
