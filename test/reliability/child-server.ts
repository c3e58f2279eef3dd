import type { ChildProcess } from 'node:child_process'
import { startServerProcess, waitUntilReady } from '../helpers/server-process.ts'

// `gatehouse serve` as a separate process, so a test can kill it outright (SIGKILL: no shutdown hook,
// no flush) and start it again on the same database.

/** A running `gatehouse serve` process. */
export interface ChildServer {
  child: ChildProcess
  baseUrl: string
  /** Everything it printed so far (logs are silent unless it fails to start). */
  output(): string
  /** Kills it with `signal` and waits until it has exited. */
  stop(signal: NodeJS.Signals): Promise<void>
}

/** Starts `gatehouse serve` with silent logs and `env` (plus PATH) and waits until /readyz answers. */
export async function startChildServer(port: number, env: Record<string, string>): Promise<ChildServer> {
  const server = startServerProcess(port, { GATEHOUSE_LOG_LEVEL: 'silent', ...env })
  // Starting compiles the sources through tsx: seconds on a loaded machine (waitUntilReady allows 60).
  await waitUntilReady(server)
  return {
    child: server.child,
    baseUrl: server.baseUrl,
    output: () => server.output(),
    stop: async (signal) => {
      server.child.kill(signal)
      await server.exited
    },
  }
}
