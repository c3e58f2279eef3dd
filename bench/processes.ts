// Starting and stopping the processes a benchmark run measures: the bare-Fastify ceiling and a real
// Gatehouse (bench/serve.mjs), each in its own process so the load generator never shares their event loop.
import { spawn, type ChildProcess } from 'node:child_process'
import { openSync } from 'node:fs'

/** A started server and how to reach it. */
export interface ServerProcess {
  readonly base: string
  readonly child: ChildProcess
  /** Asks the server for its event-loop delay, CPU time and peak RSS (bench/process-stats.mjs). */
  stats(): Promise<ServerStats | undefined>
  /** Clears the event-loop histogram, so the next stats cover one scenario. */
  resetStats(): Promise<void>
  stop(): Promise<void>
}

/** What bench/serve.mjs reports about itself. */
export interface ServerStats {
  eventLoopDelayMs: { p50: number; p99: number; max: number }
  /** CPU time (user + system, every thread) the process used during the scenario. */
  cpuSeconds: number
  peakRssMb: number
  /** RSS and V8 heap in use when asked. */
  rssMb: number
  heapUsedMb: number
}

let nextPort = 19_000 + Math.floor(Math.random() * 2000)

async function waitForHttp(base: string, path: string, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`)
    try {
      if ((await fetch(`${base}${path}`)).ok) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`server did not answer ${path}`)
}

function ask<T>(child: ChildProcess, message: string, type: string): Promise<T | undefined> {
  if (!child.connected) return Promise.resolve(undefined)
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage)
      resolve(undefined)
    }, 5000)
    const onMessage = (reply: { type?: string }) => {
      if (reply.type !== type) return
      clearTimeout(timer)
      child.off('message', onMessage)
      resolve(reply as T)
    }
    child.on('message', onMessage)
    child.send(message)
  })
}

/** Starts the plain-JavaScript `script` with `env`, waits until `readyPath` answers 200. */
export async function startServer(
  script: string,
  env: Record<string, string>,
  options: { readyPath: string; nodeArguments?: string[]; stdoutFile?: string },
): Promise<ServerProcess> {
  const port = nextPort++
  const base = `http://127.0.0.1:${port}`
  const child = spawn(process.execPath, [...(options.nodeArguments ?? []), script], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    // Logs go where an operator's would go: a pipe that is drained (here into /dev/null by the OS).
    stdio: ['ignore', options.stdoutFile ? openSync(options.stdoutFile, 'w') : 'ignore', 'inherit', 'ipc'],
  })
  await waitForHttp(base, options.readyPath, child)
  return {
    base,
    child,
    stats: () => ask<ServerStats>(child, 'stats', 'stats'),
    resetStats: async () => void (await ask(child, 'reset', 'reset')),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
        // A server that will not drain is killed rather than left behind.
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref()
      }),
  }
}
