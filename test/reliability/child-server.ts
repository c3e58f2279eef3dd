import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { GATEHOUSE_BIN } from '../helpers/cli.ts'
import { TEST_SECRET } from '../helpers/config.ts'
import { waitFor } from '../helpers/wait.ts'

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

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}

/** Starts `gatehouse serve` with only the given environment (plus PATH) and waits until /readyz answers. */
export async function startChildServer(port: number, env: Record<string, string>): Promise<ChildServer> {
  let output = ''
  const child = spawn(process.execPath, [GATEHOUSE_BIN, 'serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      GATEHOUSE_SECRET: TEST_SECRET,
      GATEHOUSE_ISSUER: 'http://gatehouse.test',
      GATEHOUSE_ARGON2_MEMORY_KIB: '64',
      GATEHOUSE_ARGON2_ITERATIONS: '1',
      GATEHOUSE_LOG_LEVEL: 'silent',
      ...env,
    },
  })
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
  const baseUrl = `http://127.0.0.1:${port}`
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${output}`)
      return (await fetch(`${baseUrl}/readyz`).catch(() => undefined))?.ok === true
    },
    // Starting compiles the sources through tsx: seconds on a loaded machine.
    60_000,
    50,
  )
  return {
    child,
    baseUrl,
    output: () => output,
    stop: async (signal) => {
      child.kill(signal)
      await exited
    },
  }
}
