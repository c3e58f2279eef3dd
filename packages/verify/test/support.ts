import { VerifyError, type VerifyErrorCode } from '../src/index.ts'
import { KeyObject, sign } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose'
import { startTestServer, type TestApp } from '../../../test/helpers/app.ts'
import { ManualClock } from '../../../test/helpers/clock.ts'

/** The issuer the test configuration gives Gatehouse. */
export const TEST_ISSUER = 'http://gatehouse.test'
export const TEST_AUDIENCE = 'gatehouse'
export const PASSWORD = 'correct horse battery staple'

/** A real Gatehouse over HTTP, with a clock that starts at the real time so tokens are current. */
export async function startGatehouse(
  env: Record<string, string> = {},
): Promise<TestApp & { baseUrl: string }> {
  return startTestServer({ clock: new ManualClock(Date.now()), env })
}

/** Registers (unless told not to) and logs in over HTTP; returns the access token. */
export async function loginOverHttp(baseUrl: string, username: string, register = true): Promise<string> {
  const body = JSON.stringify({ username, password: PASSWORD })
  const headers = { 'content-type': 'application/json' }
  if (register) {
    const registered = await fetch(`${baseUrl}/register`, { method: 'POST', headers, body })
    if (registered.status !== 201)
      throw new Error(`register failed: ${registered.status} ${await registered.text()}`)
  }
  const login = await fetch(`${baseUrl}/login`, { method: 'POST', headers, body })
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`)
  return ((await login.json()) as { access_token: string }).access_token
}

/** A fetch that sends requests for the test issuer's host to the real server's address. */
export function fetchVia(baseUrl: string, counter?: { urls: string[] }): typeof fetch {
  return async (input, init) => {
    const url = String(input instanceof Request ? input.url : input).replace(TEST_ISSUER, baseUrl)
    counter?.urls.push(url)
    return fetch(url, init)
  }
}

/** A signing key of our own, with its public JWK as a JWKS would publish it. */
export interface TestKey {
  kid: string
  alg: string
  privateKey: CryptoKey
  publicJwk: JWK
}

let keyCounter = 0

/** Generates a key pair bound to one algorithm. */
export async function createTestKey(alg: 'EdDSA' | 'ES256' | 'RS256' = 'EdDSA'): Promise<TestKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true })
  const kid = `test-key-${++keyCounter}`
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } }
}

/** Claims a Gatehouse token would carry, valid for five minutes from now. */
export function gatehouseClaims(overrides: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000)
  return {
    iss: TEST_ISSUER,
    aud: TEST_AUDIENCE,
    sub: 'user-1',
    client_id: 'gatehouse',
    sid: 'session-1',
    jti: `jti-${Math.random()}`,
    iat: now,
    exp: now + 300,
    role: 'user',
    ...overrides,
  }
}

/** Signs a token as Gatehouse would, with any header or claim overridden. */
export async function signTestToken(
  key: TestKey,
  claims: JWTPayload = gatehouseClaims(),
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, typ: 'at+jwt', kid: key.kid, ...header })
    .sign(key.privateKey)
}

/** Signs an EdDSA token with node:crypto, for headers jose itself refuses to produce (such as `crit`). */
export function signRawEdDsaToken(key: TestKey, header: Record<string, unknown>, claims: JWTPayload): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const input = `${encode({ alg: 'EdDSA', typ: 'at+jwt', kid: key.kid, ...header })}.${encode(claims)}`
  return `${input}.${sign(null, Buffer.from(input), KeyObject.from(key.privateKey)).toString('base64url')}`
}

/** A tiny HTTP server of our own: a JWKS we can change mid-test, and a count of its fetches. */
export interface JwksServer {
  url: string
  jwksUri: string
  keys: JWK[]
  requests: number
  /** Answers the JWKS with this status instead of 200 when set. */
  failWith: number | undefined
  close(): Promise<void>
}

/** Starts a JWKS server on a random local port. */
export async function startJwksServer(keys: JWK[] = []): Promise<JwksServer> {
  const state = { keys, requests: 0, failWith: undefined as number | undefined }
  const server = await listen((request, response) => {
    if (request.url !== '/jwks.json') {
      response.writeHead(404).end()
      return
    }
    state.requests += 1
    if (state.failWith) {
      response.writeHead(state.failWith).end()
      return
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.keys }))
  })
  const { url } = server
  return Object.assign(state, { url, jwksUri: `${url}/jwks.json`, close: () => server.close() })
}

/** Listens on 127.0.0.1 with a random port; `close` also drops keep-alive connections. */
export async function listen(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}

/** Reads a request body as text. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** Waits a little real time (the JWKS cooldown runs on the real clock inside jose). */
export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds))
}

/** The VerifyError code a verification ends with, or 'accepted'. */
export async function codeOf(promise: Promise<unknown>): Promise<VerifyErrorCode | 'accepted'> {
  try {
    await promise
    return 'accepted'
  } catch (error) {
    if (error instanceof VerifyError) return error.code
    throw error
  }
}

/** The value, or a thrown error naming what was missing: a typed stand-in for a non-null assertion. */
export function defined<T>(value: T | null | undefined, what = 'value'): T {
  if (value === null || value === undefined) throw new Error(`${what} is missing`)
  return value
}
