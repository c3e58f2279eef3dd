// npm run bench:forgot-timing: does POST /password/forgot take the same time whether the address
// belongs to an account with a verified address, to one whose address is unverified, or to nobody?
// A real server (`gatehouse serve` from the sources, in its own process: a client in the same process
// would share its event loop and wait for the server's background work) on a temporary SQLite file,
// hit over HTTP with the three kinds interleaved (the order rotates), so drift in machine load and the
// background work of one request hit every kind alike.
// Mail goes to .eml files in the temporary folder; the quotas are raised so every existing-address
// request really queues a message (the most work the background does).

import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { connectDatabase } from '../src/db/connect.ts'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200)
const WARMUP = 10
const ACCOUNTS = 20
const PASSWORD = 'bench password that is long enough'

const directory = mkdtempSync(join(tmpdir(), 'gatehouse-forgot-timing-'))
const databasePath = join(directory, 'bench.db')
const port = await new Promise<number>((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const address = probe.address()
    probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
  })
})
const server = spawn(
  process.execPath,
  [fileURLToPath(new URL('../bin/gatehouse-dev.js', import.meta.url)), 'serve'],
  {
    cwd: directory,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      GATEHOUSE_DATABASE_URL: `sqlite:${databasePath}`,
      GATEHOUSE_SECRET: 'bench-secret-that-is-long-enough-0123456789',
      GATEHOUSE_LOG_LEVEL: 'error',
      GATEHOUSE_OUTBOX_DIR: join(directory, 'outbox'),
      GATEHOUSE_REGISTER_PER_IP_PER_HOUR: '1000',
      GATEHOUSE_MAIL_PER_ADDRESS_PER_HOUR: '10000',
      GATEHOUSE_MAIL_PER_ACCOUNT_PER_HOUR: '10000',
      GATEHOUSE_MAIL_PER_IP_PER_HOUR: '1000000',
    },
  },
)
const base = `http://127.0.0.1:${port}`
for (let tries = 0; ; tries++) {
  if ((await fetch(`${base}/readyz`).catch(() => undefined))?.ok) break
  if (tries > 300) throw new Error('the server did not start')
  await new Promise((resolve) => setTimeout(resolve, 100))
}
const { db } = connectDatabase({ kind: 'sqlite', path: databasePath })

async function post(path: string, body: object): Promise<{ status: number; text: string }> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: response.status, text: await response.text() }
}

const bodies = new Set<string>()
async function timedForgot(email: string): Promise<number> {
  const started = performance.now()
  const { status, text } = await post('/password/forgot', { email })
  const elapsed = performance.now() - started
  if (status !== 202) throw new Error(`expected 202, got ${status}`)
  bodies.add(text)
  return elapsed
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const at = (index: number) => sorted[index] ?? Number.NaN
  return sorted.length % 2 ? at(middle) : (at(middle - 1) + at(middle)) / 2
}

try {
  const verified: string[] = []
  const unverified: string[] = []
  for (let index = 0; index < ACCOUNTS; index++) {
    for (const [kind, list] of [
      ['verified', verified],
      ['unverified', unverified],
    ] as const) {
      const email = `${kind}-${index}@bench.example`
      const { status } = await post('/register', { username: `${kind}-${index}`, password: PASSWORD, email })
      if (status !== 201) throw new Error(`register failed: ${status}`)
      list.push(email)
    }
  }
  // Verified directly: following 20 links is not what is measured here.
  await db.updateTable('users').set({ email_verified: 1 }).where('email', 'in', verified).execute()

  const kinds = {
    verified: (i: number) => verified[i % ACCOUNTS] ?? '',
    unverified: (i: number) => unverified[i % ACCOUNTS] ?? '',
    unknown: (i: number) => `nobody-${i}@bench.example`,
  }
  const names = Object.keys(kinds) as Array<keyof typeof kinds>
  const times: Record<keyof typeof kinds, number[]> = { verified: [], unverified: [], unknown: [] }
  for (let i = 0; i < WARMUP; i++) for (const name of names) await timedForgot(kinds[name](i))
  for (let i = 0; i < ROUNDS; i++) {
    // Rotate which kind goes first, so none always follows another's background work.
    for (let k = 0; k < names.length; k++) {
      const name = names[(i + k) % names.length] ?? 'unknown'
      times[name].push(await timedForgot(kinds[name](i)))
    }
  }
  const queued = await db
    .selectFrom('email_outbox')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('kind', '=', 'password_reset')
    .executeTakeFirstOrThrow()
  const medians = Object.fromEntries(names.map((name) => [name, median(times[name])])) as Record<
    keyof typeof kinds,
    number
  >
  for (const name of names) {
    console.log(`${name.padEnd(10)}: n=${times[name].length} median ${medians[name].toFixed(3)} ms`)
  }
  const spread = Math.max(...Object.values(medians)) - Math.min(...Object.values(medians))
  console.log(`largest difference between medians: ${spread.toFixed(3)} ms`)
  console.log(`verified/unknown ratio: ${(medians.verified / medians.unknown).toFixed(4)}`)
  console.log(`distinct response bodies: ${bodies.size}; reset messages queued: ${Number(queued.count)}`)
} finally {
  await db.destroy()
  server.kill('SIGTERM')
  await new Promise((resolve) => server.once('exit', resolve))
  rmSync(directory, { recursive: true, force: true })
}
