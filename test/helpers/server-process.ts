import { spawn, type ChildProcess } from 'node:child_process'
import { GATEHOUSE_BIN } from './cli.ts'
import { TEST_ENV } from './config.ts'
import { waitFor } from './wait.ts'

// `gatehouse serve` as a child process, for what only a real process shows: signals, exits, restarts.

/** A running `gatehouse serve` and what it printed so far. */
export interface ServerProcess {
  child: ChildProcess
  port: number
  baseUrl: string
  output(): string
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>
}

/** TEST_ENV with info logs: what a server process in a test starts with. */
export const SERVER_PROCESS_ENV: Record<string, string> = { ...TEST_ENV, GATEHOUSE_LOG_LEVEL: 'info' }

/** Starts `gatehouse serve` on `port` with only PATH, SERVER_PROCESS_ENV and `env` in its environment. */
export function startServerProcess(port: number, env: Record<string, string>): ServerProcess {
  let output = ''
  const child = spawn(process.execPath, [GATEHOUSE_BIN, 'serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      ...SERVER_PROCESS_ENV,
      HOST: '127.0.0.1',
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  )
  return { child, port, baseUrl: `http://127.0.0.1:${port}`, output: () => output, exited }
}

/** Waits until the process answers /readyz with 200; fails at once if it exits first. */
export async function waitUntilReady(server: ServerProcess, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    async () => {
      if (server.child.exitCode !== null)
        throw new Error(`server exited with ${server.child.exitCode}:\n${server.output()}`)
      // A refused connection means it is not listening yet.
      return (await fetch(`${server.baseUrl}/readyz`).catch(() => undefined))?.ok === true
    },
    timeoutMs,
    100,
  )
}

/** Kills every process that is still running (for afterAll/afterEach, even after a failure). */
export function killAll(servers: Iterable<ServerProcess>): void {
  for (const server of servers) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL')
  }
}

/** A free-looking TCP port, below Linux's ephemeral range (32768 and up) where outgoing connections take ports. */
export function randomPort(): number {
  return 20_000 + Math.floor(Math.random() * 12_000)
}
