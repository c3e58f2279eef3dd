// The requests each scenario sends. Tokens come from real logins through the API; the many-user
// database comes from bench/seed.ts.
import type { LoadRequest } from './load.ts'
import { rotatingBearer } from './load.ts'
import { BENCH_PASSWORD, seededUsername } from './seed.ts'

/** The access and refresh tokens of logged-in seeded users. */
export interface TokenPool {
  accessTokens: string[]
  refreshTokens: string[]
}

const JSON_HEADERS = { 'content-type': 'application/json' }

async function logIn(base: string, username: string): Promise<{ access: string; refresh: string }> {
  const response = await fetch(`${base}/login`, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify({ username, password: BENCH_PASSWORD }),
  })
  if (!response.ok)
    throw new Error(`login of ${username} failed: ${response.status} ${await response.text()}`)
  const body = (await response.json()) as { access_token: string; refresh_token: string }
  return { access: body.access_token, refresh: body.refresh_token }
}

/** Logs in seeded users 0..count-1, two at a time (the hash is the cost). */
export async function logInUsers(base: string, count: number): Promise<TokenPool> {
  const pool: TokenPool = { accessTokens: [], refreshTokens: [] }
  let next = 0
  const worker = async () => {
    while (next < count) {
      const { access, refresh } = await logIn(base, seededUsername(next++))
      pool.accessTokens.push(access)
      pool.refreshTokens.push(refresh)
    }
  }
  await Promise.all([worker(), worker()])
  return pool
}

/** GET /profile, each request with the next user's token. */
export function profileRequest(pool: TokenPool): LoadRequest {
  return { path: '/profile', setup: rotatingBearer(pool.accessTokens) }
}

/** POST /login as seeded users 0..users-1 in turn. */
export function loginRequest(users: number): LoadRequest {
  let next = 0
  return {
    method: 'POST',
    path: '/login',
    headers: JSON_HEADERS,
    setup: (request) => ({
      ...request,
      body: JSON.stringify({ username: seededUsername(next++ % users), password: BENCH_PASSWORD }),
    }),
  }
}

/**
 * POST /token grant_type=refresh_token. Every refresh token is presented exactly once, as a real client
 * does (presenting an old one is reuse and ends the session): each answer's new refresh token goes back
 * into the queue the next request takes from. (autocannon resets its per-connection context after every
 * request of a one-request list, so the chain cannot live there.)
 */
export function refreshRequest(pool: TokenPool): LoadRequest {
  const available = [...pool.refreshTokens]
  return {
    method: 'POST',
    path: '/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    setup: (request) => {
      const token = encodeURIComponent(available.shift() ?? 'exhausted')
      return { ...request, body: `grant_type=refresh_token&refresh_token=${token}` }
    },
    onResponse: (status, body) => {
      if (status === 200) available.push((JSON.parse(body) as { refresh_token: string }).refresh_token)
    },
  }
}

/** POST /register with a new username every time. */
export function registerRequest(prefix: string): LoadRequest {
  let next = 0
  return {
    method: 'POST',
    path: '/register',
    headers: JSON_HEADERS,
    setup: (request) => ({
      ...request,
      body: JSON.stringify({ username: `${prefix}${next++}`, password: BENCH_PASSWORD }),
    }),
  }
}
