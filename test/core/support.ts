import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { KeyObject, sign } from 'node:crypto'
import { expect } from 'vitest'
import { createTestApp, type TestApp, type TestAppOptions } from '../helpers/app.ts'

/** A password that passes the policy; every core test user gets it unless a test says otherwise. */
export const PASSWORD = 'correct horse battery staple'

/** The bootstrap admin every core app starts with. */
export const ADMIN = { username: 'root-admin', password: 'admin password for tests 42' }

/**
 * Core tests send many failed logins and registrations from one address on purpose. Brute-force
 * throttling is tested on its own; generous limits here keep it from turning these 401s into 429s.
 */
export const CORE_ENV: Record<string, string> = {
  GATEHOUSE_LOGIN_MAX_FAILURES: '1000',
  GATEHOUSE_REGISTER_PER_IP_PER_HOUR: '1000000',
  GATEHOUSE_ADMIN_USERNAME: ADMIN.username,
  GATEHOUSE_ADMIN_PASSWORD: ADMIN.password,
}

/** A core test app: the chosen engine, the core env, plus any overrides. */
export function createCoreApp(options: TestAppOptions = {}): Promise<TestApp> {
  return createTestApp({ ...options, env: { ...CORE_ENV, ...options.env } })
}

/** The body of POST /register. */
export interface PublicUser {
  id: string
  username: string
  role: string
  created_at: string
}

/** Registers a user and returns the 201 body. */
export async function registerUser(
  app: FastifyInstance,
  username: string,
  password = PASSWORD,
): Promise<PublicUser> {
  const response = await app.inject({ method: 'POST', url: '/register', payload: { username, password } })
  expect(response.statusCode, response.body).toBe(201)
  return response.json<PublicUser>()
}

/** Logs in with the seed's JSON body and returns the access token. */
export async function loginToken(
  app: FastifyInstance,
  username: string,
  password = PASSWORD,
): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/login', payload: { username, password } })
  expect(response.statusCode, response.body).toBe(200)
  return response.json<{ access_token: string }>().access_token
}

/** GET a protected path with a Bearer token. */
export function getWithToken(app: FastifyInstance, url: string, token: string) {
  return app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })
}

/** Asserts the RFC 6750 answer to a token that was sent but is not acceptable. */
export function expectInvalidToken(response: LightMyRequestResponse): void {
  expect(response.statusCode, response.body).toBe(401)
  expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"')
  expect(response.json()).toMatchObject({ code: 'invalid_token' })
}

/** Every user row and session row, to prove a refused request changed nothing. */
export async function snapshotStore(app: FastifyInstance): Promise<unknown> {
  const { db } = app.services
  const users = await db.selectFrom('users').selectAll().orderBy('id').execute()
  const sessions = await db.selectFrom('sessions').selectAll().orderBy('id').execute()
  return { users, sessions }
}

/** The stored row of a user, looked up by id. */
export function findUserRow(app: FastifyInstance, id: string) {
  return app.services.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

/** base64url of a JSON value, as a JWS segment. */
export function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url')
}

/** The decoded header and payload of a compact JWS. */
export function decodeToken(token: string): {
  header: Record<string, unknown>
  payload: Record<string, unknown>
} {
  const [header, payload] = token.split('.') as [string, string]
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>,
  }
}

/**
 * Signs raw segments with the server's own current private key. Forged headers then carry a valid
 * signature, so a refusal proves the header check itself works, not merely that the signature broke.
 */
export function signWithServerKey(
  app: FastifyInstance,
  headerSegment: string,
  payloadSegment: string,
): string {
  const signingKey = app.services.keys.signingKey()
  const input = Buffer.from(`${headerSegment}.${payloadSegment}`, 'ascii')
  if (signingKey.algorithm !== 'EdDSA' || signingKey.privateKey instanceof Uint8Array) {
    throw new Error('signWithServerKey expects the default EdDSA signing key')
  }
  const signature = sign(null, input, KeyObject.from(signingKey.privateKey))
  return `${headerSegment}.${payloadSegment}.${signature.toString('base64url')}`
}

/** Re-signs a real token after changing its header and claims with the server key. */
export function resignToken(
  app: FastifyInstance,
  token: string,
  change: (parts: { header: Record<string, unknown>; payload: Record<string, unknown> }) => void,
): string {
  const parts = decodeToken(token)
  change(parts)
  return signWithServerKey(app, encodeSegment(parts.header), encodeSegment(parts.payload))
}
