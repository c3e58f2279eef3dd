import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { TEST_SECRET } from './config.ts'

// The `gatehouse` command, run as an operator would, from the sources (bin/gatehouse-dev.js runs them
// through tsx), so tests never run a stale build. test/operability/compiled.test.ts runs the build.

/** The absolute path of bin/gatehouse-dev.js, the CLI on the TypeScript sources. */
export const GATEHOUSE_BIN = fileURLToPath(new URL('../../bin/gatehouse-dev.js', import.meta.url))

/**
 * The time a test that runs the CLI gets. Each run starts Node and compiles the sources through tsx,
 * about 5 s on a loaded machine, so a test with a few runs outgrows the suite's 30 s default.
 */
export const CLI_TEST_TIMEOUT_MS = 120_000

/** What a finished `gatehouse` process printed and how it exited. */
export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** How to run the CLI: extra environment, standard input, working directory. */
export interface CliOptions {
  env?: Record<string, string | undefined>
  stdin?: string
  cwd?: string
}

/** The environment of a CLI run on a SQLite file: cheap argon2 and silent logs, as in testConfig. */
export function sqliteCliEnv(databasePath: string): Record<string, string> {
  return {
    GATEHOUSE_DATABASE_URL: `sqlite:${databasePath}`,
    GATEHOUSE_ARGON2_MEMORY_KIB: '64',
    GATEHOUSE_ARGON2_ITERATIONS: '1',
    GATEHOUSE_LOG_LEVEL: 'silent',
  }
}

/**
 * Runs bin/gatehouse-dev.js with only the environment given here (plus PATH), so a developer's own
 * GATEHOUSE_* variables cannot leak in. A fixed secret keeps the CLI from writing a development secret
 * file into the working directory; `env` may override it.
 */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [GATEHOUSE_BIN, ...args],
      {
        cwd: options.cwd,
        env: { PATH: process.env.PATH ?? '', GATEHOUSE_SECRET: TEST_SECRET, ...options.env },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        resolve({ code, stdout, stderr })
      },
    )
    child.stdin?.end(options.stdin ?? '')
  })
}

/** Runs the CLI and returns what it printed; a non-zero exit rejects with the result (code, stdout, stderr). */
export async function cliOutput(args: string[], options: CliOptions = {}): Promise<string> {
  const result = await runCli(args, options)
  if (result.code !== 0)
    throw Object.assign(new Error(`gatehouse ${args.join(' ')} exited ${result.code}`), result)
  return result.stdout
}
