import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { TEST_SECRET } from '../helpers/config.ts'
import { TEST_DATABASE_URL } from '../helpers/databases.ts'

const BIN = fileURLToPath(new URL('../../bin/gatehouse.js', import.meta.url))

/** What a finished `gatehouse` process printed and how it exited. */
export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/**
 * Runs bin/gatehouse.js as a user would, with only the environment given here (plus PATH), so a
 * developer's own GATEHOUSE_* variables cannot leak in. A fixed secret keeps the CLI from writing
 * a development secret file into the working directory.
 */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        env: { PATH: process.env.PATH ?? '', GATEHOUSE_SECRET: TEST_SECRET, ...env },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        resolve({ code, stdout, stderr })
      },
    )
  })
}

/** TEST_DATABASE_URL narrowed to one schema, with libpq's `options` parameter, as a user could write it. */
export function postgresUrlForSchema(schema: string): string {
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set')
  const separator = TEST_DATABASE_URL.includes('?') ? '&' : '?'
  return `${TEST_DATABASE_URL}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`
}
