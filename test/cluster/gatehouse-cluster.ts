import { postJson } from '../helpers/http.ts'
import { startServerProcess, waitUntilReady, type ServerProcess } from '../helpers/server-process.ts'
import { waitFor } from '../helpers/wait.ts'
import { killAtExit, onCleanup, startHaproxy, type Haproxy } from './infrastructure.ts'

// Several `gatehouse serve` processes on one database and Redis, behind haproxy.

/** The instances and the balancer in front of them. */
export interface GatehouseCluster {
  balancer: Haproxy
  instances: ServerProcess[]
  /** The ports the instances listen on (an instance restarted comes back on the same one). */
  ports: number[]
  env: Record<string, string>
  /** Starts (or restarts) instance `index` on its port and waits until it is ready. */
  startInstance(index: number): Promise<ServerProcess>
  /** Waits until haproxy has exactly these instances (by index) up. */
  waitForUp(indexes: number[], timeoutMs?: number): Promise<void>
}

/**
 * A base port for one suite: below Linux's ephemeral range (32768 and up), where the suite's own
 * outgoing connections take ports and a restarted instance once found its port taken.
 */
export function basePort(): number {
  return 10_000 + Math.floor(Math.random() * 200) * 100
}

/** Settings every instance of a cluster shares (plus the suite's database and Redis). */
export function clusterEnv(
  databaseUrl: string,
  redisUrl: string,
  prefix: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    GATEHOUSE_DATABASE_URL: databaseUrl,
    GATEHOUSE_REDIS_URL: redisUrl,
    GATEHOUSE_REDIS_KEY_PREFIX: prefix,
    // haproxy adds X-Forwarded-For; the instances trust that one hop.
    GATEHOUSE_TRUST_PROXY: '1',
    GATEHOUSE_LOG_LEVEL: 'warn',
    GATEHOUSE_DB_POOL_MAX: '5',
    ...extra,
  }
}

/** Starts `count` instances at once on ports base+1…, then haproxy on base+10 (stats on base+11). */
export async function startCluster(
  base: number,
  count: number,
  env: Record<string, string>,
  options: { balancerFor?: number[] } = {},
): Promise<GatehouseCluster> {
  const ports = Array.from({ length: count }, (_, index) => base + 1 + index)
  const instances: ServerProcess[] = []
  onCleanup(() => {
    for (const instance of instances)
      if (instance.child.exitCode === null && instance.child.signalCode === null)
        instance.child.kill('SIGKILL')
  })
  const startInstance = async (index: number) => {
    const instance = startServerProcess(ports[index] as number, env)
    killAtExit(instance.child)
    instances[index] = instance
    await waitUntilReady(instance, 90_000)
    return instance
  }
  await Promise.all(ports.map((_, index) => startInstance(index)))
  const inBalancer = options.balancerFor ?? ports.map((_, index) => index)
  const balancer = await startHaproxy(
    base + 10,
    inBalancer.map((index) => ({ name: `gatehouse${index}`, address: `127.0.0.1:${ports[index]}` })),
  )
  const waitForUp = async (indexes: number[], timeoutMs = 30_000) => {
    const wanted = indexes.map((index) => `gatehouse${index}`).sort()
    await waitFor(
      async () => JSON.stringify((await balancer.serversUp()).sort()) === JSON.stringify(wanted),
      timeoutMs,
      100,
    )
  }
  await waitForUp(inBalancer)
  return { balancer, instances, ports, env, startInstance, waitForUp }
}

/** Registers a user through `baseUrl` and returns its access and refresh tokens. */
export async function registerAndLogIn(
  baseUrl: string,
  username: string,
  password: string,
): Promise<{ access_token: string; refresh_token: string }> {
  const registered = await postJson(baseUrl, '/register', { username, password })
  if (registered.status !== 201) throw new Error(`register ${username}: ${registered.status}`)
  return logIn(baseUrl, username, password)
}

/** Logs in through `baseUrl`; throws unless 200. */
export async function logIn(
  baseUrl: string,
  username: string,
  password: string,
): Promise<{ access_token: string; refresh_token: string }> {
  const response = await postJson(baseUrl, '/login', { username, password })
  if (response.status !== 200)
    throw new Error(`login ${username}: ${response.status} ${await response.text()}`)
  return (await response.json()) as { access_token: string; refresh_token: string }
}

/** GET with a bearer token; returns the status. */
export async function statusWithToken(baseUrl: string, path: string, token: string): Promise<number> {
  const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } })
  await response.arrayBuffer()
  return response.status
}

/** Sends a JSON request with a bearer token; returns status and parsed body. */
export async function sendWithToken(
  baseUrl: string,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }
}

/** A refresh at /token through `baseUrl`. */
export async function refreshAt(baseUrl: string, refreshToken: string): Promise<Response> {
  return fetch(`${baseUrl}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
  })
}
