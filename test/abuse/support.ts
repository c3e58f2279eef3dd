import type { FastifyInstance } from 'fastify'
import { randomBytes } from 'node:crypto'
import { request } from 'node:http'
import type { Dialect } from '../../src/db/schema.ts'
import { TEST_DATABASE_URL } from '../helpers/databases.ts'

/** The Redis server abuse tests may use; unset means the Redis variants are skipped (except in CI). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL

/** One way to run Gatehouse's throttles: an engine and the counter store it leads to. */
export interface StoreVariant {
  name: string
  dialect: Dialect
  store: 'memory' | 'postgres' | 'redis'
  /** Builds the environment; each call gets its own Redis key prefix so parallel files never share counts. */
  env(prefix?: string): Record<string, string>
}

/** SQLite with memory counters always; PostgreSQL with PostgreSQL counters, and with Redis counters. */
export const STORES: StoreVariant[] = [
  { name: 'sqlite + memory', dialect: 'sqlite', store: 'memory', env: () => ({}) },
  ...(TEST_DATABASE_URL
    ? [{ name: 'postgres + postgres', dialect: 'postgres', store: 'postgres', env: () => ({}) } as const]
    : []),
  ...(TEST_DATABASE_URL && TEST_REDIS_URL
    ? [
        {
          name: 'postgres + redis',
          dialect: 'postgres',
          store: 'redis',
          env: (prefix = uniqueRedisPrefix()) => ({
            GATEHOUSE_REDIS_URL: TEST_REDIS_URL,
            GATEHOUSE_REDIS_KEY_PREFIX: prefix,
          }),
        } as const,
      ]
    : []),
]
if (!TEST_REDIS_URL)
  console.log('[abuse tests] Redis variants skipped: set TEST_REDIS_URL=redis://… to run them')

/** A Redis key prefix of its own, so tests sharing one Redis never see each other's counters. */
export function uniqueRedisPrefix(): string {
  return `gh-test-${randomBytes(6).toString('hex')}`
}

/** A password that passes the policy. */
export const PASSWORD = 'correct horse battery staple'

/** Registers a user through the API. */
export async function register(app: FastifyInstance, username: string, password = PASSWORD): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/register', payload: { username, password } })
  if (response.statusCode !== 201)
    throw new Error(`register ${username}: ${response.statusCode} ${response.body}`)
  return response.json<{ id: string }>().id
}

/** POST /login with JSON, from the default inject address (127.0.0.1). */
export function login(
  app: FastifyInstance,
  username: string,
  password: string,
  headers: Record<string, string> = {},
) {
  return app.inject({ method: 'POST', url: '/login', payload: { username, password }, headers })
}

/** The password grant at /token. */
export function tokenGrant(app: FastifyInstance, username: string, password: string) {
  return app.inject({
    method: 'POST',
    url: '/token',
    payload: new URLSearchParams({ grant_type: 'password', username, password }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  })
}

/** A response over real HTTP. */
export interface HttpResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/**
 * POSTs JSON over a real socket bound to `localAddress` (127.0.0.2, 127.0.0.3, …: all loopback on
 * Linux), so the server sees a genuinely different client address.
 */
export function postFrom(
  baseUrl: string,
  localAddress: string,
  path: string,
  body: object,
  headers: Record<string, string> = {},
): Promise<HttpResponse> {
  const payload = JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${baseUrl}${path}`,
      {
        method: 'POST',
        localAddress,
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...headers,
        },
      },
      (incoming) => {
        const chunks: Buffer[] = []
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
        incoming.on('end', () =>
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        )
      },
    )
    outgoing.on('error', reject)
    outgoing.end(payload)
  })
}
