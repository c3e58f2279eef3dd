// npm run bench [-- --quick] [-- --workers N] [-- --postgres URL] [-- --cpu-prof DIR] [-- --only profile]
// Starts a bare Fastify (the ceiling) and a real Gatehouse on a fresh database, in the same run, and
// measures every scenario with the same connections and duration. Writes bench/results/<mode>.{md,json,svg}.
import { hash } from '@node-rs/argon2'
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { loadConfig } from '../src/config.ts'
import { runLoad, type LoadResult } from './load.ts'
import { startServer, type ServerProcess, type ServerStats } from './processes.ts'
import { writeReport, type BenchReport } from './report.ts'
import { loginRequest, logInUsers, profileRequest, refreshRequest, registerRequest } from './scenarios.ts'
import { seedUsers } from './seed.ts'

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    workers: { type: 'string', default: '1' },
    postgres: { type: 'string' },
    'cpu-prof': { type: 'string' },
    only: { type: 'string' },
    seconds: { type: 'string' },
    // Extra node flags for the Gatehouse process (e.g. "--trace-gc"), and a file for its stdout (logs).
    'node-options': { type: 'string' },
    'server-stdout': { type: 'string' },
    // Diagnosis only: the README recommends the default (info); a report made with another level says so.
    'log-level': { type: 'string' },
  },
})
const quick = options.quick ?? false
const seconds = Number(options.seconds ?? (quick ? 2 : 8))
const connections = 64
const tokenUsers = quick ? 64 : 200
const smallUsers = 1000
const largeUsers = quick ? 100_000 : 1_000_000
const stormConnections = 8

const folder = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'))
const schema = `bench_${process.pid}`
const databaseUrl = options.postgres
  ? `${options.postgres}${options.postgres.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`
  : `sqlite:${join(folder, 'bench.db')}`
const env: Record<string, string> = {
  GATEHOUSE_DATABASE_URL: databaseUrl,
  GATEHOUSE_SECRET: 'bench-secret-that-is-long-enough-0123456789',
  GATEHOUSE_WORKERS: options.workers ?? '1',
  // Only so the register scenario measures registering rather than the per-IP quota's 429s.
  GATEHOUSE_REGISTER_PER_IP_PER_HOUR: '1000000',
  ...(options['log-level'] ? { GATEHOUSE_LOG_LEVEL: options['log-level'] } : {}),
}
const config = loadConfig(env)
const scenarios: BenchReport['scenarios'] = []
const log = (line: string) => process.stderr.write(`${line}\n`)

async function measure(
  name: string,
  server: ServerProcess,
  run: () => Promise<LoadResult>,
): Promise<LoadResult & { server?: ServerStats }> {
  await server.resetStats()
  const result = await run()
  const stats = await server.stats()
  const row = { name, ...result, ...(stats ? { server: stats } : {}) }
  scenarios.push(row)
  log(
    `${name.padEnd(34)} ${String(result.requestsPerSecond).padStart(7)} req/s  p50 ${result.latencyMs.p50} ms` +
      `  p99 ${result.latencyMs.p99} ms  failures ${result.failures}` +
      (stats
        ? `  loop p99 ${stats.eventLoopDelayMs.p99} ms max ${stats.eventLoopDelayMs.max} ms` +
          `  ${Math.round(result.requests / stats.cpuSeconds)} req/CPU-s  peak RSS ${stats.peakRssMb} MB`
        : ''),
  )
  return row
}

/** Wall and CPU seconds of one argon2id hash at the configured cost, one at a time. */
async function timeOneHash(): Promise<{ wall: number; cpu: number }> {
  const parameters = {
    memoryCost: config.argon2.memoryKib,
    timeCost: config.argon2.iterations,
    parallelism: config.argon2.parallelism,
  }
  await hash('warm-up', parameters)
  const rounds = quick ? 5 : 20
  const started = performance.now()
  const cpuBefore = process.cpuUsage()
  for (let round = 0; round < rounds; round += 1) await hash(`password ${round}`, parameters)
  const cpu = process.cpuUsage(cpuBefore)
  return { wall: (performance.now() - started) / rounds / 1000, cpu: (cpu.user + cpu.system) / 1e6 / rounds }
}

const load = (server: ServerProcess, request: Parameters<typeof runLoad>[1], connectionCount = connections) =>
  runLoad(server.base, request, { connections: connectionCount, seconds })

async function main(): Promise<void> {
  const startedAt = new Date()
  const only = options.only
  if (!only) {
    const hello = await startServer('bench/hello.mjs', {}, { readyPath: '/hello' })
    try {
      await measure('bare Fastify GET /hello (ceiling)', hello, () => load(hello, { path: '/hello' }))
    } finally {
      await hello.stop()
    }
  }
  if (options.postgres) {
    const client = new pg.Client({ connectionString: options.postgres })
    await client.connect()
    await client.query(`create schema ${schema}`)
    await client.end()
  }
  const cpuProfile = options['cpu-prof']
  const gatehouse = await startServer('bench/serve.mjs', env, {
    readyPath: '/healthz',
    nodeArguments: [
      ...(cpuProfile ? ['--cpu-prof', '--cpu-prof-dir', cpuProfile] : []),
      ...(options['node-options']?.split(' ').filter(Boolean) ?? []),
    ],
    ...(options['server-stdout'] ? { stdoutFile: options['server-stdout'] } : {}),
  })
  try {
    const seedSeconds: Record<string, number> = {
      small: await seedUsers(config, 0, smallUsers, options.postgres ? schema : undefined),
    }
    const pool = await logInUsers(gatehouse.base, tokenUsers)
    const profile = () => load(gatehouse, profileRequest(pool))
    const loginLatency = () => load(gatehouse, loginRequest(smallUsers), 1)
    const logins = () => load(gatehouse, loginRequest(smallUsers), stormConnections)
    const loginStorm = async () => {
      await gatehouse.resetStats()
      const [storm] = await Promise.all([profile(), logins()])
      scenarios.push({ name: 'GET /profile during a login storm', ...storm, server: await gatehouse.stats() })
      log(`profile during storm: ${storm.requestsPerSecond} req/s p99 ${storm.latencyMs.p99} ms`)
    }
    if (only) {
      // Diagnosis runs (a CPU profile, one setting against another): only the named scenarios.
      const wanted = new Set(only.split(','))
      if (wanted.has('profile')) await measure('GET /profile', gatehouse, profile)
      if (wanted.has('login')) await measure('POST /login', gatehouse, logins)
      if (wanted.has('storm')) await loginStorm()
      return
    }
    await measure('GET /healthz', gatehouse, () => load(gatehouse, { path: '/healthz' }))
    await measure('GET /.well-known/jwks.json', gatehouse, () =>
      load(gatehouse, { path: '/.well-known/jwks.json' }),
    )
    const idle = await measure(`GET /profile (${smallUsers} users)`, gatehouse, profile)
    await measure('POST /login', gatehouse, logins)
    await measure('POST /token (refresh)', gatehouse, () =>
      load(gatehouse, refreshRequest(pool), Math.min(stormConnections, pool.refreshTokens.length)),
    )
    await measure('POST /register', gatehouse, () =>
      load(gatehouse, registerRequest(`new${process.pid}x`), stormConnections),
    )
    await loginStorm()
    await measure(`POST /login latency (${smallUsers} users)`, gatehouse, loginLatency)
    seedSeconds.large = await seedUsers(config, smallUsers, largeUsers, options.postgres ? schema : undefined)
    log(`seeded ${largeUsers} users in ${seedSeconds.large.toFixed(1)} s`)
    await measure(`GET /profile (${largeUsers} users)`, gatehouse, profile)
    await measure(`POST /login latency (${largeUsers} users)`, gatehouse, () =>
      load(gatehouse, loginRequest(largeUsers), 1),
    )
    const hashSeconds = await timeOneHash()
    const stats = await gatehouse.stats()
    const report: BenchReport = {
      mode: quick ? 'quick' : 'full',
      startedAt: startedAt.toISOString(),
      command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
      machine: {
        cpus: availableParallelism(),
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGb: Math.round(totalmem() / 2 ** 30),
        loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
        node: process.version,
      },
      setup: {
        database: options.postgres ? 'postgres' : 'sqlite',
        workers: Number(env.GATEHOUSE_WORKERS),
        connections,
        seconds,
        tokenUsers,
        smallUsers,
        largeUsers,
        hashConcurrency: config.hashConcurrency,
        argon2: config.argon2,
      },
      seedSeconds,
      hash: {
        secondsPerHash: hashSeconds.wall,
        cpuSecondsPerHash: hashSeconds.cpu,
        loginLimitPerSecond: Math.min(config.hashConcurrency, availableParallelism()) / hashSeconds.wall,
      },
      peakRssMb: stats?.peakRssMb,
      idleProfileP99: idle.latencyMs.p99,
      scenarios,
    }
    writeReport(report)
  } finally {
    await gatehouse.stop()
    if (options.postgres) {
      const client = new pg.Client({ connectionString: options.postgres })
      await client.connect()
      await client.query(`drop schema if exists ${schema} cascade`)
      await client.end()
    }
    rmSync(folder, { recursive: true, force: true })
  }
}

await main()
