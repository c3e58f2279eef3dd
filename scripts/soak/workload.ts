// The soak's bounded mixed workload: a fixed number of workers, each looping over register, login,
// refresh, profile, logout and admin reads until the deadline, with a cap on accounts and on the
// sessions each worker holds, so the state the server keeps stays bounded however long it runs.

/** The actions the workload mixes, with their weights. */
const ACTIONS = [
  ['register', 1],
  ['login', 2],
  ['refresh', 2],
  ['profile', 4],
  ['logout', 2],
  ['admin read', 1],
] as const

/** One action of the mix. */
export type Action = (typeof ACTIONS)[number][0]

/** The admin account the soak server is started with. */
export const SOAK_ADMIN = { username: 'soakadmin', password: 'soak admin passphrase 42' }
const PASSWORD = 'soak user passphrase 42'

/** What the client saw: requests per action, every 5xx and unexpected answer, sessions it made and ended. */
export interface Tally {
  latencies: Map<Action, number[]>
  serverErrors: string[]
  unexpected: Map<string, number>
  /** Session ids of acknowledged logins (the admin's included), with the time each was acknowledged. */
  loggedIn: Map<string, number>
  /** Session ids of acknowledged logouts. */
  loggedOut: Set<string>
}

interface HeldSession {
  access: string
  refresh: string
  sid: string
  since: number
}

interface WorkloadOptions {
  baseUrl: string
  workers: number
  deadline: number
  /** Sessions older than this are left to expire, never used near their end. */
  sessionLifetimeMs: number
  maxUsers?: number
  maxSessionsPerWorker?: number
}

function sessionIdOf(accessToken: string): string {
  const payload = accessToken.split('.')[1] ?? ''
  return String((JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sid: string }).sid)
}

function pick<T>(items: readonly T[]): T | undefined {
  return items[Math.floor(Math.random() * items.length)]
}

function chooseAction(): Action {
  const total = ACTIONS.reduce((sum, [, weight]) => sum + weight, 0)
  let roll = Math.random() * total
  for (const [action, weight] of ACTIONS) {
    roll -= weight
    if (roll < 0) return action
  }
  return 'profile'
}

/** Runs the workload until the deadline and returns what the client saw. */
export async function runWorkload(options: WorkloadOptions): Promise<Tally> {
  const { baseUrl, deadline, sessionLifetimeMs } = options
  const maxUsers = options.maxUsers ?? 200
  const maxSessions = options.maxSessionsPerWorker ?? 16
  const tally: Tally = {
    latencies: new Map(),
    serverErrors: [],
    unexpected: new Map(),
    loggedIn: new Map(),
    loggedOut: new Set(),
  }
  const users: string[] = []
  let registered = 0
  let admin: Promise<HeldSession> | undefined
  const runId = Date.now().toString(36)

  async function call(action: Action, expected: number, path: string, init: RequestInit = {}) {
    const started = performance.now()
    const response = await fetch(`${baseUrl}${path}`, init)
    const body = await response.text()
    const latencies = tally.latencies.get(action) ?? []
    latencies.push(performance.now() - started)
    tally.latencies.set(action, latencies)
    if (response.status >= 500) tally.serverErrors.push(`${action} ${path}: ${response.status} ${body}`)
    else if (response.status !== expected) {
      const key = `${action}: ${response.status} ${body.slice(0, 80)}`
      tally.unexpected.set(key, (tally.unexpected.get(key) ?? 0) + 1)
    }
    return response.status === expected ? (JSON.parse(body || '{}') as Record<string, string>) : undefined
  }

  const json = (body: unknown, token?: string): RequestInit => ({
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  })

  async function logIn(username: string, password: string): Promise<HeldSession | undefined> {
    const tokens = await call('login', 200, '/login', json({ username, password }))
    if (!tokens?.access_token || !tokens.refresh_token) return undefined
    const session = {
      access: tokens.access_token,
      refresh: tokens.refresh_token,
      sid: sessionIdOf(tokens.access_token),
      since: Date.now(),
    }
    tally.loggedIn.set(session.sid, session.since)
    return session
  }

  const fresh = (session: HeldSession) => Date.now() - session.since < sessionLifetimeMs - 10_000

  async function adminSession(): Promise<HeldSession | undefined> {
    const current = await admin
    if (current && fresh(current)) return current
    admin = logIn(SOAK_ADMIN.username, SOAK_ADMIN.password).then((session) => {
      if (!session) throw new Error('the soak admin could not log in')
      return session
    })
    return admin
  }

  async function worker(): Promise<void> {
    let held: HeldSession[] = []
    while (Date.now() < deadline) {
      held = held.filter(fresh)
      let action = chooseAction()
      if (action === 'register' && registered >= maxUsers) action = 'login'
      if (action === 'login' && held.length >= maxSessions) action = 'logout'
      if ((action === 'login' && users.length === 0) || (action !== 'login' && held.length === 0))
        action = action === 'admin read' ? action : users.length === 0 ? 'register' : 'login'
      const session = pick(held)
      switch (action) {
        case 'register': {
          registered += 1
          const username = `soak${runId}u${registered}`
          if (await call('register', 201, '/register', json({ username, password: PASSWORD })))
            users.push(username)
          break
        }
        case 'login': {
          const username = pick(users)
          const loggedIn = username ? await logIn(username, PASSWORD) : undefined
          if (loggedIn) held.push(loggedIn)
          break
        }
        case 'refresh': {
          if (!session) break
          const tokens = await call('refresh', 200, '/token', {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({
              grant_type: 'refresh_token',
              refresh_token: session.refresh,
            }).toString(),
          })
          if (tokens?.access_token && tokens.refresh_token) {
            session.access = tokens.access_token
            session.refresh = tokens.refresh_token
          } else held = held.filter((other) => other !== session)
          break
        }
        case 'profile':
          if (session)
            await call('profile', 200, '/profile', { headers: { authorization: `Bearer ${session.access}` } })
          break
        case 'logout':
          if (!session) break
          held = held.filter((other) => other !== session)
          if ((await call('logout', 204, '/logout', json({}, session.access))) !== undefined)
            tally.loggedOut.add(session.sid)
          break
        case 'admin read': {
          const adminTokens = await adminSession()
          const path = Math.random() < 0.5 ? '/admin/users?limit=20' : '/admin/audit?limit=20'
          if (adminTokens)
            await call('admin read', 200, path, {
              headers: { authorization: `Bearer ${adminTokens.access}` },
            })
          break
        }
      }
    }
  }

  await Promise.all(
    Array.from({ length: options.workers }, () =>
      worker().catch((error: unknown) => {
        tally.serverErrors.push(`worker stopped: ${String(error)}`)
      }),
    ),
  )
  return tally
}
