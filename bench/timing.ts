// npm run bench:timing: do unknown-user and wrong-password logins take the same time?
// A real server on a temporary SQLite file with the default (production) argon2id parameters, hit
// over HTTP with the two kinds interleaved, so drift in machine load hits both alike.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'

const PAIRS = Number(process.env.BENCH_PAIRS ?? 200)
const WARMUP = 10
const PASSWORD = 'bench password that is long enough'

const directory = mkdtempSync(join(tmpdir(), 'gatehouse-timing-'))
const config = loadConfig({
  GATEHOUSE_DATABASE_URL: `sqlite:${join(directory, 'bench.db')}`,
  GATEHOUSE_SECRET: 'bench-secret-that-is-long-enough-0123456789',
  GATEHOUSE_LOG_LEVEL: 'warn',
  // The throttle would turn the repeated failures into 429s; this measures the password path only.
  GATEHOUSE_LOGIN_MAX_FAILURES: '1000',
  GATEHOUSE_LOGIN_MAX_BACKOFF: '1',
})
const app = await buildApp(config)
await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
if (address === null || typeof address === 'string') throw new Error('no TCP address')
const base = `http://127.0.0.1:${address.port}`

async function post(path: string, body: object): Promise<number> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  await response.arrayBuffer()
  return response.status
}

async function timedLogin(username: string): Promise<number> {
  const started = performance.now()
  const status = await post('/login', { username, password: 'wrong password for timing' })
  const elapsed = performance.now() - started
  if (status !== 401) throw new Error(`expected 401, got ${status}`)
  return elapsed
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const at = (index: number) => sorted[index] ?? Number.NaN
  return sorted.length % 2 ? at(middle) : (at(middle - 1) + at(middle)) / 2
}

try {
  // Many existing accounts, so the per-account counters never come near the limit.
  const accounts = Array.from({ length: 20 }, (_, i) => `timing-user-${i}`)
  for (const username of accounts) {
    if ((await post('/register', { username, password: PASSWORD })) !== 201)
      throw new Error('register failed')
  }
  for (let i = 0; i < WARMUP; i++) {
    await timedLogin(`warmup-unknown-${i}`)
    await timedLogin(accounts[i % accounts.length] ?? '')
  }
  const unknown: number[] = []
  const wrongPassword: number[] = []
  for (let i = 0; i < PAIRS; i++) {
    // Alternate which kind goes first, so neither always follows the other.
    const first = i % 2 === 0
    if (first) unknown.push(await timedLogin(`no-such-user-${i}`))
    wrongPassword.push(await timedLogin(accounts[i % accounts.length] ?? ''))
    if (!first) unknown.push(await timedLogin(`no-such-user-${i}`))
  }
  const unknownMedian = median(unknown)
  const wrongMedian = median(wrongPassword)
  const ratio = unknownMedian / wrongMedian
  console.log(
    `argon2id m=${config.argon2.memoryKib} KiB t=${config.argon2.iterations} p=${config.argon2.parallelism}`,
  )
  console.log(`unknown user   : n=${unknown.length} median ${unknownMedian.toFixed(2)} ms`)
  console.log(`wrong password : n=${wrongPassword.length} median ${wrongMedian.toFixed(2)} ms`)
  console.log(
    `ratio unknown/wrong: ${ratio.toFixed(4)} (difference ${(Math.abs(ratio - 1) * 100).toFixed(2)}%)`,
  )
} finally {
  await app.close()
  rmSync(directory, { recursive: true, force: true })
}
