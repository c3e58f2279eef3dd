import type { SessionRecord } from './protocol.ts'
import type { Tally } from './workload.ts'

// The soak's verdicts: each check is a line of the summary table, and any failed one fails the run.

/** One line of the verdict: what was checked, what was measured, the bound, and whether it held. */
export interface Check {
  name: string
  measured: string
  bound: string
  ok: boolean
}

/** A memory sample: seconds since the start and the server's resident set size in bytes. */
export interface MemorySample {
  seconds: number
  rss: number
}

/** The least-squares slope of `y` over `x` (units of y per unit of x); 0 with fewer than two points. */
export function linearSlope(points: Array<{ x: number; y: number }>): number {
  if (points.length < 2) return 0
  const meanX = points.reduce((sum, point) => sum + point.x, 0) / points.length
  const meanY = points.reduce((sum, point) => sum + point.y, 0) / points.length
  let covariance = 0
  let variance = 0
  for (const { x, y } of points) {
    covariance += (x - meanX) * (y - meanY)
    variance += (x - meanX) ** 2
  }
  return variance === 0 ? 0 : covariance / variance
}

const MIB = 1024 * 1024

/**
 * The lowest sample of each `windowSeconds` window: the resident baseline. Each password hash borrows
 * 19 MiB for a moment, so single samples swing by tens of MiB; a leak raises the floor, a hash does not.
 */
export function memoryFloor(samples: MemorySample[], windowSeconds: number): MemorySample[] {
  const windows = new Map<number, MemorySample>()
  for (const sample of samples) {
    const window = Math.floor(sample.seconds / windowSeconds)
    const lowest = windows.get(window)
    if (!lowest || sample.rss < lowest.rss) windows.set(window, sample)
  }
  return [...windows.values()].sort((a, b) => a.seconds - b.seconds)
}

/** RSS after warm-up must not trend upwards faster than `maxMibPerMinute` (least squares on its floor). */
export function rssTrendCheck(
  samples: MemorySample[],
  warmUpSeconds: number,
  maxMibPerMinute: number,
): Check {
  const after = memoryFloor(
    samples.filter((sample) => sample.seconds >= warmUpSeconds),
    5,
  )
  const slope = (linearSlope(after.map((sample) => ({ x: sample.seconds, y: sample.rss }))) * 60) / MIB
  const first = after[0]?.rss ?? 0
  const last = after.at(-1)?.rss ?? 0
  return {
    name: 'RSS trend after warm-up (5 s floors)',
    measured: `${slope.toFixed(2)} MiB/min (${(first / MIB).toFixed(0)} → ${(last / MIB).toFixed(0)} MiB, ${after.length} points)`,
    bound: `≤ ${maxMibPerMinute} MiB/min`,
    ok: after.length >= 2 && slope <= maxMibPerMinute,
  }
}

/**
 * The sessions table against what the client saw: one row per acknowledged login, a `logout` revocation
 * for each acknowledged logout, and live = logins − logouts − expiries. Rows the hourly purge removed
 * count as expiries only if they were old enough to have expired.
 */
export function sessionChecks(tally: Tally, rows: SessionRecord[], now: number, lifetimeMs: number): Check[] {
  const byId = new Map(rows.map((row) => [row.id, row]))
  const logins = tally.loggedIn.size
  const logouts = tally.loggedOut.size
  const unknown = rows.filter((row) => !tally.loggedIn.has(row.id)).length
  let missing = 0
  let expired = 0
  for (const [id, since] of tally.loggedIn) {
    const row = byId.get(id)
    if (!row) {
      if (now - since > lifetimeMs) expired += 1
      else missing += 1
    } else if (row.revoked_at === null && row.expires_at <= now) expired += 1
  }
  const notLoggedOut = [...tally.loggedOut].filter((id) => byId.get(id)?.revoked_reason !== 'logout').length
  const live = rows.filter((row) => row.revoked_at === null && row.expires_at > now).length
  return [
    {
      name: 'sessions: one row per acknowledged login',
      measured: `${rows.length} rows, ${logins} logins, ${unknown} unknown, ${missing} missing`,
      bound: 'none unknown, none missing',
      ok: unknown === 0 && missing === 0,
    },
    {
      name: 'sessions: every acknowledged logout revoked',
      measured: `${logouts} logouts, ${notLoggedOut} not revoked`,
      bound: '0 not revoked',
      ok: notLoggedOut === 0,
    },
    {
      name: 'sessions: live = logins − logouts − expiries',
      measured: `${live} = ${logins} − ${logouts} − ${expired} (${logins - logouts - expired})`,
      bound: 'equal',
      ok: live === logins - logouts - expired,
    },
  ]
}

/** The value at quantile `q` (0–1) of some numbers. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
}

/** Prints rows as an aligned text table under a title. */
export function printTable(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)),
  )
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ')
  console.log(`\n${title}\n${line(header)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}`)
  for (const row of rows) console.log(line(row))
}
