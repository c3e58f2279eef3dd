// Turns one run into bench/results/<mode>.json, a Markdown table with the issue's targets, and an SVG
// chart of requests per second per scenario with the bare-Fastify ceiling drawn as a line.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { LoadResult } from './load.ts'
import type { ServerStats } from './processes.ts'

/** Everything one run measured. */
export interface BenchReport {
  mode: 'quick' | 'full'
  startedAt: string
  command: string
  machine: { cpus: number; cpuModel: string; memoryGb: number; loadAverage: number[]; node: string }
  setup: {
    database: string
    workers: number
    connections: number
    seconds: number
    tokenUsers: number
    smallUsers: number
    largeUsers: number
    hashConcurrency: number
    argon2: { memoryKib: number; iterations: number; parallelism: number }
  }
  seedSeconds: Record<string, number>
  hash: { secondsPerHash: number; cpuSecondsPerHash: number; loginLimitPerSecond: number }
  peakRssMb?: number
  idleProfileP99: number
  scenarios: Array<LoadResult & { name: string; server?: ServerStats }>
}

/** One target of issue 14 and whether this run met it. */
export interface TargetCheck {
  target: string
  measured: string
  met: boolean
}

const RESULTS = join(import.meta.dirname, 'results')
const find = (report: BenchReport, prefix: string) =>
  report.scenarios.find((row) => row.name.startsWith(prefix))
const ratio = (value: number) => `${(value * 100).toFixed(0)}%`
/** Requests per CPU-second of the server: its rate with a core to itself (undefined without stats). */
export const perCpuSecond = (row: LoadResult & { server?: ServerStats | undefined }) =>
  row.server && row.server.cpuSeconds > 0 ? row.requests / row.server.cpuSeconds : undefined

/** The issue's targets, computed from the run's own numbers (ratios within one run). */
export function checkTargets(report: BenchReport): TargetCheck[] {
  const checks: TargetCheck[] = []
  const ceiling = find(report, 'bare Fastify')
  const profile = find(report, 'GET /profile (')
  const storm = find(report, 'GET /profile during')
  const login = find(report, 'POST /login')
  const latencies = report.scenarios.filter((row) => row.name.includes('latency ('))
  const profiles = report.scenarios.filter((row) => row.name.startsWith('GET /profile ('))
  if (ceiling && profile) {
    const share = profile.requestsPerSecond / ceiling.requestsPerSecond
    checks.push({
      target: 'GET /profile ≥ 50% of bare Fastify (req/s)',
      measured: ratio(share),
      met: share >= 0.5,
    })
    const [ceilingCpu, profileCpu] = [perCpuSecond(ceiling), perCpuSecond(profile)]
    if (ceilingCpu && profileCpu && report.setup.workers === 1) {
      const cpuShare = profileCpu / ceilingCpu
      checks.push({
        target: 'GET /profile ≥ 50% of bare Fastify (req per CPU-second)',
        measured: ratio(cpuShare),
        met: cpuShare >= 0.5,
      })
    }
    const spread = profile.latencyMs.p99 / Math.max(profile.latencyMs.p50, 1)
    checks.push({ target: '/profile p99 ≤ 5× p50', measured: `${spread.toFixed(1)}×`, met: spread <= 5 })
  }
  if (login) {
    const share = login.requestsPerSecond / report.hash.loginLimitPerSecond
    checks.push({
      target: 'POST /login ≥ 90% of the hash-bound limit (req/s)',
      measured: ratio(share),
      met: share >= 0.9,
    })
    const loginCpu = perCpuSecond(login)
    if (loginCpu && report.setup.workers === 1) {
      // The share of a login's CPU that is the one hash it must compute.
      const hashShare = loginCpu * report.hash.cpuSecondsPerHash
      checks.push({
        target: 'POST /login: the hash ≥ 90% of its CPU',
        measured: ratio(hashShare),
        met: hashShare >= 0.9,
      })
    }
  }
  if (storm) {
    const rise = storm.latencyMs.p99 / report.idleProfileP99
    checks.push({
      target: '/profile p99 in a login storm ≤ 3× idle',
      measured: `${rise.toFixed(1)}×`,
      met: rise <= 3,
    })
  }
  for (const [label, rows] of [
    ['/profile mean latency', profiles],
    ['login mean latency', latencies],
  ] as const) {
    const [small, large] = rows
    if (small && large) {
      const change = large.latencyMs.mean / small.latencyMs.mean - 1
      checks.push({
        target: `${label}: ${report.setup.largeUsers.toLocaleString('en')} users within 10% of 1,000`,
        measured: `${change >= 0 ? '+' : ''}${ratio(change)}`,
        met: change <= 0.1,
      })
    }
  }
  if (report.peakRssMb !== undefined && report.setup.workers === 1) {
    checks.push({
      target: 'peak RSS ≤ 150 MB (1 worker)',
      measured: `${report.peakRssMb} MB`,
      met: report.peakRssMb <= 150,
    })
  }
  return checks
}

function markdown(report: BenchReport, checks: TargetCheck[]): string {
  const ceilingRow = find(report, 'bare Fastify')
  const ceiling = ceilingRow?.requestsPerSecond ?? 0
  const ceilingCpu = ceilingRow ? perCpuSecond(ceilingRow) : undefined
  const rows = report.scenarios.map((row) => {
    const share = ceiling > 0 ? ratio(row.requestsPerSecond / ceiling) : ''
    // With several workers the stats come from the supervisor, which serves nothing: only the ceiling's count.
    const measured = report.setup.workers === 1 || row === ceilingRow
    const loop =
      row.server && measured ? `${row.server.eventLoopDelayMs.p99} / ${row.server.eventLoopDelayMs.max}` : ''
    const cpuRate = measured ? perCpuSecond(row) : undefined
    const cpuShare = cpuRate && ceilingCpu && report.setup.workers === 1 ? ratio(cpuRate / ceilingCpu) : ''
    const perCpu = cpuRate ? Math.round(cpuRate).toLocaleString('en') : ''
    return `| ${row.name} | ${row.requestsPerSecond.toLocaleString('en')} | ${share} | ${perCpu} | ${cpuShare} | ${row.latencyMs.p50} | ${row.latencyMs.p99} | ${row.latencyMs.max} | ${loop} | ${row.failures} |`
  })
  const { machine, setup } = report
  return [
    `Run ${report.startedAt} · \`${report.command}\` · ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB,`,
    `Node ${machine.node}, load average ${machine.loadAverage.join(' ')} · ${setup.database}, ${setup.workers} worker(s),`,
    `${setup.connections} connections (login, refresh, register and the storm: 8), ${setup.seconds} s per scenario.`,
    '',
    '| scenario | req/s | of ceiling | req per CPU-s | of ceiling (CPU) | p50 ms | p99 ms | max ms | loop delay p99 / max ms | failures |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    `One argon2id hash (${JSON.stringify(setup.argon2)}): ${(report.hash.secondsPerHash * 1000).toFixed(1)} ms; ` +
      `hash-bound login limit at concurrency ${String(setup.hashConcurrency)}: ${report.hash.loginLimitPerSecond.toFixed(1)}/s. ` +
      `Seeding: ${Object.entries(report.seedSeconds)
        .map(([size, value]) => `${size} ${value.toFixed(1)} s`)
        .join(', ')}. ` +
      `Peak RSS: ${report.peakRssMb ?? '?'} MB.`,
    '',
    '| target | measured | met |',
    '|---|---:|:---:|',
    ...checks.map((check) => `| ${check.target} | ${check.measured} | ${check.met ? 'yes' : '**no**'} |`),
    '',
  ].join('\n')
}

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}

/** A horizontal bar chart: one bar per scenario, the ceiling as a vertical dashed line. */
export function chart(report: BenchReport): string {
  const rows = report.scenarios.filter((row) => !row.name.startsWith('bare Fastify'))
  const ceiling = find(report, 'bare Fastify')?.requestsPerSecond ?? 0
  const largest = Math.max(ceiling, ...rows.map((row) => row.requestsPerSecond), 1)
  const [labelWidth, barWidth, rowHeight, top] = [300, 420, 24, 40]
  const height = top + rows.length * rowHeight + 30
  const x = (value: number) => labelWidth + (value / largest) * barWidth
  const bars = rows.map((row, index) => {
    const y = top + index * rowHeight
    return (
      `<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end">${escapeXml(row.name)}</text>` +
      `<rect x="${labelWidth}" y="${y + 4}" width="${(x(row.requestsPerSecond) - labelWidth).toFixed(1)}" height="16" fill="#3b6ea5"/>` +
      `<text x="${(x(row.requestsPerSecond) + 4).toFixed(1)}" y="${y + 16}">${row.requestsPerSecond.toLocaleString('en')}</text>`
    )
  })
  const line = ceiling
    ? `<line x1="${x(ceiling)}" y1="${top - 6}" x2="${x(ceiling)}" y2="${height - 24}" stroke="#c0392b" stroke-dasharray="4 3"/>` +
      `<text x="${x(ceiling)}" y="${top - 10}" text-anchor="end" fill="#c0392b">bare Fastify ${ceiling.toLocaleString('en')} req/s</text>`
    : ''
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + barWidth + 90}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="8" y="18" font-weight="bold">Gatehouse requests/s per scenario (${report.setup.workers} worker(s), ${escapeXml(report.setup.database)}, ${report.machine.cpus} cores)</text>`,
    ...bars,
    line,
    `</svg>`,
    '',
  ].join('\n')
}

/** Writes the JSON, Markdown and SVG of a run; returns the Markdown. */
export function writeReport(report: BenchReport): string {
  mkdirSync(RESULTS, { recursive: true })
  const checks = checkTargets(report)
  const name = `${report.mode}${report.setup.workers > 1 ? `-${report.setup.workers}-workers` : ''}${report.setup.database === 'postgres' ? '-postgres' : ''}`
  const text = markdown(report, checks)
  writeFileSync(join(RESULTS, `${name}.json`), `${JSON.stringify({ ...report, targets: checks }, null, 2)}\n`)
  writeFileSync(join(RESULTS, `${name}.md`), text)
  writeFileSync(join(RESULTS, `${name}.svg`), chart(report))
  process.stdout.write(text)
  return text
}
