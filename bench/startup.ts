// Start-up time (spawn to the first /healthz 200) and resident memory of `gatehouse serve`, for the
// compiled server (bin/gatehouse.js, needs `npm run build`) and the sources through tsx
// (bin/gatehouse-dev.js). Usage: `npx tsx bench/startup.ts [runs]`.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const BINS = {
  compiled: fileURLToPath(new URL('../bin/gatehouse.js', import.meta.url)),
  tsx: fileURLToPath(new URL('../bin/gatehouse-dev.js', import.meta.url)),
}

/** The resident set size of a process in MiB, from /proc (Linux). */
function residentMib(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return kib / 1024
}

async function measure(bin: string, port: number): Promise<{ startMs: number; rssMib: number }> {
  const cwd = mkdtempSync(join(tmpdir(), 'gatehouse-startup-'))
  const started = performance.now()
  const child = spawn(process.execPath, [bin, 'serve'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), GATEHOUSE_LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  })
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${bin} exited with ${child.exitCode}`)
      const response = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined)
      if (response?.status === 200) break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const startMs = performance.now() - started
    // Settle for a moment, then read the memory of an idle, ready server.
    await new Promise((resolve) => setTimeout(resolve, 1000))
    return { startMs, rssMib: residentMib(child.pid ?? 0) }
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM')
      await new Promise((resolve) => child.once('exit', resolve))
    }
    rmSync(cwd, { recursive: true, force: true })
  }
}

const runs = Number(process.argv[2] ?? 5)
for (const [name, bin] of Object.entries(BINS)) {
  const results = []
  for (let run = 0; run < runs; run += 1) results.push(await measure(bin, 23_000 + run))
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0
  const startMs = median(results.map((result) => result.startMs))
  const rssMib = median(results.map((result) => result.rssMib))
  console.log(
    `${name}: start-up ${startMs.toFixed(0)} ms to /healthz 200, RSS ${rssMib.toFixed(1)} MiB (median of ${runs})`,
  )
}
