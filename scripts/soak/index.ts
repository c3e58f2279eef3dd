// `npm run soak [-- --seconds N]`: starts a real Gatehouse on a temporary SQLite file, runs a bounded
// mixed workload against it for N seconds (default 60), then checks that it answered no 5xx, that its
// RSS has no growth trend after warm-up, that the sessions table matches what the client was told, and
// that the event loop's p99 delay stayed under a bound. Prints a summary table; exits 1 if a check fails.
import { parseArgs } from 'node:util'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  printTable,
  quantile,
  rssTrendCheck,
  sessionChecks,
  type Check,
  type MemorySample,
} from './checks.ts'
import { startSoakServer } from './protocol.ts'
import { runWorkload, SOAK_ADMIN } from './workload.ts'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    workers: { type: 'string', default: '8' },
    'max-rss-mib-per-minute': { type: 'string', default: '24' },
    'max-loop-p99-ms': { type: 'string', default: '200' },
  },
})
const seconds = Number(values.seconds)
const workers = Number(values.workers)
const maxRssMibPerMinute = Number(values['max-rss-mib-per-minute'])
const maxLoopP99Ms = Number(values['max-loop-p99-ms'])
if (!(seconds >= 10) || !(workers >= 1)) {
  console.error('usage: npm run soak -- [--seconds N≥10] [--workers N≥1]')
  process.exit(2)
}
// A quarter of the run (at most a minute) lets caches, JIT and pools settle before memory is judged.
const warmUpSeconds = Math.min(60, seconds / 4)
// Sessions short enough that some expire during a long run, so the session check meets expiries too.
const sessionLifetimeSeconds = Math.max(60, Math.round(seconds / 3))

const folder = mkdtempSync(join(tmpdir(), 'gatehouse-soak-'))
const server = await startSoakServer({
  GATEHOUSE_DATABASE_URL: `sqlite:${join(folder, 'soak.db')}`,
  GATEHOUSE_SECRET: 'soak-secret-that-is-long-enough-0123456789',
  GATEHOUSE_LOG_LEVEL: 'warn',
  GATEHOUSE_ADMIN_USERNAME: SOAK_ADMIN.username,
  GATEHOUSE_ADMIN_PASSWORD: SOAK_ADMIN.password,
  // One client address does all the work: per-address limits would turn the soak into a throttle test.
  GATEHOUSE_REGISTER_PER_IP_PER_HOUR: '1000000',
  GATEHOUSE_LOGIN_MAX_FAILURES: '1000',
  GATEHOUSE_REFRESH_TOKEN_ABSOLUTE_TTL: String(sessionLifetimeSeconds),
  GATEHOUSE_REFRESH_TOKEN_IDLE_TTL: String(sessionLifetimeSeconds),
})

let exitCode = 1
try {
  const started = Date.now()
  const samples: MemorySample[] = []
  let loopDelayReset = false
  const sampler = setInterval(() => {
    const elapsed = (Date.now() - started) / 1000
    void server.ask('memory').then((memory) => samples.push({ seconds: elapsed, rss: memory.rss }))
    if (!loopDelayReset && elapsed >= warmUpSeconds) {
      loopDelayReset = true
      void server.ask('reset-loop-delay')
    }
  }, 1000)
  console.log(`soak: ${seconds} s, ${workers} workers, warm-up ${warmUpSeconds} s, against ${server.baseUrl}`)
  const tally = await runWorkload({
    baseUrl: server.baseUrl,
    workers,
    deadline: started + seconds * 1000,
    sessionLifetimeMs: sessionLifetimeSeconds * 1000,
  })
  clearInterval(sampler)
  const loopDelay = await server.ask('loop-delay')
  const sessions = await server.ask('sessions')

  const requestRows = [...tally.latencies].map(([action, latencies]) => [
    action,
    String(latencies.length),
    (latencies.length / seconds).toFixed(1),
    quantile(latencies, 0.5).toFixed(1),
    quantile(latencies, 0.99).toFixed(1),
  ])
  const total = [...tally.latencies.values()].reduce((sum, latencies) => sum + latencies.length, 0)
  requestRows.push(['all', String(total), (total / seconds).toFixed(1), '', ''])
  printTable('Requests', ['action', 'count', 'per s', 'p50 ms', 'p99 ms'], requestRows)

  const unexpected = [...tally.unexpected.values()].reduce((sum, count) => sum + count, 0)
  const checks: Check[] = [
    {
      name: 'no 5xx',
      measured: String(tally.serverErrors.length),
      bound: '0',
      ok: tally.serverErrors.length === 0,
    },
    { name: 'no unexpected answers', measured: String(unexpected), bound: '0', ok: unexpected === 0 },
    rssTrendCheck(samples, warmUpSeconds, maxRssMibPerMinute),
    ...sessionChecks(tally, sessions.rows, sessions.now, sessionLifetimeSeconds * 1000),
    {
      name: 'event-loop delay p99 after warm-up',
      measured: `${loopDelay.p99Ms.toFixed(1)} ms (p50 ${loopDelay.p50Ms.toFixed(1)}, max ${loopDelay.maxMs.toFixed(1)})`,
      bound: `< ${maxLoopP99Ms} ms`,
      ok: loopDelay.p99Ms < maxLoopP99Ms,
    },
  ]
  printTable(
    'Checks',
    ['check', 'measured', 'bound', 'result'],
    checks.map((check) => [check.name, check.measured, check.bound, check.ok ? 'ok' : 'FAILED']),
  )
  for (const error of tally.serverErrors.slice(0, 10)) console.log(`5xx: ${error}`)
  for (const [answer, count] of tally.unexpected) console.log(`unexpected (${count}×): ${answer}`)
  exitCode = checks.every((check) => check.ok) ? 0 : 1
  console.log(exitCode === 0 ? '\nsoak: every check held' : '\nsoak: FAILED')
} finally {
  await server.ask('stop').catch(() => undefined)
  rmSync(folder, { recursive: true, force: true })
}
process.exit(exitCode)
