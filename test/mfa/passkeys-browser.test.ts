import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildUi } from '../../scripts/build-ui.ts'
import { createTestApp, type TestApp } from '../helpers/app.ts'
import { addVirtualAuthenticator, launchBrowser, openPage, skipBrowserSuite } from '../helpers/browser.ts'
import { LENIENT_LIMITS_ENV } from '../helpers/config.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { freePort } from '../helpers/ports.ts'
import { decodeToken } from '../helpers/tokens.ts'
import { PASSWORD } from '../helpers/users.ts'

// Passkeys end to end in real Chromium with the DevTools virtual authenticator (CTAP2, resident keys,
// user verification): the page is Gatehouse's own sign-in page at http://localhost:<port>, a secure
// context with RP ID `localhost`, and navigator.credentials is driven with the options from the API.

interface Json {
  status: number
  body: Record<string, unknown>
}

async function api(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<Json> {
  const headers: Record<string, string> = {}
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (token !== undefined) headers.authorization = `Bearer ${token}`
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }
}

// Browser-side code as text: this project's TypeScript has no DOM types, on purpose.
const CREATE = `async (options) => {
  const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options)
  const credential = await navigator.credentials.create({ publicKey })
  const json = credential.toJSON()
  if (json.authenticatorAttachment == null) delete json.authenticatorAttachment
  return json
}`
const GET = `async (options) => {
  const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(options)
  const credential = await navigator.credentials.get({ publicKey })
  const json = credential.toJSON()
  if (json.authenticatorAttachment == null) delete json.authenticatorAttachment
  if (json.response.userHandle == null) delete json.response.userHandle
  return json
}`

async function inPage(page: Page, source: string, options: unknown): Promise<unknown> {
  // The function text is evaluated in the page (indirect eval: the page's CSP does not govern DevTools).
  return page.evaluate(
    ({ source, options }) => {
      const run = (0, eval)(source) as (input: unknown) => Promise<unknown>
      return run(options)
    },
    { source, options },
  )
}

const skip = skipBrowserSuite('passkey browser tests')

describe.skipIf(skip).each(DIALECTS)('passkeys in Chromium with a virtual authenticator (%s)', (dialect) => {
  let browser: Browser
  let server: TestApp
  let baseUrl: string
  let page: Page

  beforeAll(async () => {
    await buildUi()
    const port = await freePort()
    baseUrl = `http://localhost:${port}`
    server = await createTestApp({
      dialect,
      env: {
        ...LENIENT_LIMITS_ENV,
        GATEHOUSE_ISSUER: baseUrl,
        GATEHOUSE_PUBLIC_URL: baseUrl,
        GATEHOUSE_WEBAUTHN_RP_ID: 'localhost',
      },
    })
    await server.app.listen({ host: '127.0.0.1', port })
    browser = await launchBrowser()
    page = (await openPage(browser)).page
    await addVirtualAuthenticator(page)
    const loaded = await page.goto(`${baseUrl}/ui/login`)
    expect(loaded?.status()).toBe(200)
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('registers a passkey, signs in with it as a second factor and passwordless, and removes it', async () => {
    const registered = await api(baseUrl, 'POST', '/register', { username: 'ada', password: PASSWORD })
    expect(registered.status).toBe(201)
    const first = await api(baseUrl, 'POST', '/login', { username: 'ada', password: PASSWORD })
    const token = first.body.access_token as string

    // Register.
    const creation = await api(baseUrl, 'POST', '/webauthn/register/options', {}, token)
    expect(creation.status, JSON.stringify(creation.body)).toBe(200)
    expect(creation.body).toMatchObject({ rp: { id: 'localhost' }, attestation: 'none' })
    const attestation = await inPage(page, CREATE, creation.body)
    const storePasskey = (name: string) =>
      api(baseUrl, 'POST', '/webauthn/register', { name, response: attestation }, token)
    const stored = await storePasskey('Laptop')
    expect(stored.status, JSON.stringify(stored.body)).toBe(201)
    expect(stored.body).toMatchObject({ name: 'Laptop' })
    expect(stored.body.recovery_codes).toHaveLength(10)
    // The challenge was single-use: the same response cannot register again.
    const again = await storePasskey('Again')
    expect(again.status).toBe(401)

    // The password alone no longer signs in; the passkey finishes the login as the second factor.
    const refused = await api(baseUrl, 'POST', '/login', { username: 'ada', password: PASSWORD })
    expect(refused.status).toBe(403)
    expect(refused.body).toMatchObject({ code: 'mfa_required', methods: ['webauthn', 'recovery_code'] })
    const mfaToken = refused.body.mfa_token as string
    const request = await api(baseUrl, 'POST', '/webauthn/login/options', { mfa_token: mfaToken })
    expect(request.status).toBe(200)
    expect(request.body.allowCredentials).toHaveLength(1)
    const assertion = await inPage(page, GET, request.body)
    const second = await api(baseUrl, 'POST', '/webauthn/login', { response: assertion, mfa_token: mfaToken })
    expect(second.status, JSON.stringify(second.body)).toBe(200)
    const amr = decodeToken(second.body.access_token as string).payload.amr as string[]
    expect(amr).toContain('pwd')
    expect(amr).toContain('mfa')
    expect(amr.some((method) => method === 'hwk' || method === 'swk')).toBe(true)
    // Replaying the assertion fails: its challenge is used.
    expect(
      (await api(baseUrl, 'POST', '/webauthn/login', { response: assertion, mfa_token: mfaToken })).status,
    ).toBe(401)

    // A signature counter that does not move forward (a cloned authenticator) is refused.
    const { db } = server.app.services
    const counterBefore: { counter: number } = await db
      .selectFrom('webauthn_credentials')
      .select('counter')
      .executeTakeFirstOrThrow()
    await db.updateTable('webauthn_credentials').set({ counter: 1_000_000 }).execute()
    const cloned = await api(baseUrl, 'POST', '/login', { username: 'ada', password: PASSWORD })
    const clonedToken = cloned.body.mfa_token as string
    const clonedOptions = await api(baseUrl, 'POST', '/webauthn/login/options', { mfa_token: clonedToken })
    const clonedAssertion = await inPage(page, GET, clonedOptions.body)
    const refusedClone = await api(baseUrl, 'POST', '/webauthn/login', {
      response: clonedAssertion,
      mfa_token: clonedToken,
    })
    expect(refusedClone.status).toBe(401)
    await db.updateTable('webauthn_credentials').set({ counter: counterBefore.counter }).execute()

    // Passwordless: a discoverable credential with user verification, no mfa_token.
    const open = await api(baseUrl, 'POST', '/webauthn/login/options', {})
    expect(open.body).toMatchObject({ userVerification: 'required' })
    expect(open.body.allowCredentials ?? []).toEqual([])
    const passwordless = await inPage(page, GET, open.body)
    const signedIn = await api(baseUrl, 'POST', '/webauthn/login', { response: passwordless })
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200)
    const claims = decodeToken(signedIn.body.access_token as string).payload
    expect(claims.amr).not.toContain('pwd')
    expect(claims.amr).toContain('mfa')
    expect((await api(baseUrl, 'POST', '/webauthn/login', { response: passwordless })).status).toBe(401)

    // List and remove; with no factor left, the password alone signs in again.
    const fresh = signedIn.body.access_token as string
    const listed = await api(baseUrl, 'GET', '/webauthn/credentials', undefined, fresh)
    const credentials = listed.body as unknown as Array<{ id: string; name: string }>
    expect(credentials.map((credential) => credential.name)).toEqual(['Laptop'])
    const removed = await api(
      baseUrl,
      'DELETE',
      `/webauthn/credentials/${credentials[0]?.id ?? ''}`,
      {},
      fresh,
    )
    expect(removed.status, JSON.stringify(removed.body)).toBe(204)
    expect((await api(baseUrl, 'GET', '/webauthn/credentials', undefined, fresh)).body).toEqual([])
    expect((await api(baseUrl, 'POST', '/login', { username: 'ada', password: PASSWORD })).status).toBe(200)
  }, 60_000)
})
