import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI_TEST_TIMEOUT_MS, runCli, sqliteCliEnv } from '../helpers/cli.ts'
import { removeDirectory, temporaryDirectory } from '../helpers/files.ts'

// The installed `gatehouse` bin, run as an operator would, against a throwaway SQLite file.

describe('the gatehouse CLI', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  let folder: string
  let env: Record<string, string>
  beforeAll(() => {
    folder = temporaryDirectory('cli')
    env = { HOME: folder, ...sqliteCliEnv(join(folder, 'g.db')) }
  })
  afterAll(() => {
    removeDirectory(folder)
  })

  const run = (args: string[], stdin?: string) => runCli(args, { env, stdin, cwd: folder })

  it('prints help naming every command', async () => {
    const result = await run(['--help'])
    expect(result.code).toBe(0)
    for (const command of ['serve', 'migrate', 'users']) expect(result.stdout).toContain(command)
  })

  it('prints help for users create, including --password-stdin and --role', async () => {
    const result = await run(['users', 'create', '--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('--password-stdin')
    expect(result.stdout).toContain('--role')
  })

  it('creates users from standard input and lists them, never printing the password or hash', async () => {
    const created = await run(
      ['users', 'create', 'cli-alice', '--password-stdin'],
      'cli password for alice 42\n',
    )
    expect(created.code, created.stderr).toBe(0)
    expect(created.stdout).toMatch(/^Created user cli-alice\b/)

    const admin = await run(
      ['users', 'create', 'cli-root', '--role', 'admin', '--password-stdin'],
      'cli password for root 42\n',
    )
    expect(admin.code, admin.stderr).toBe(0)

    const listed = await run(['users', 'list'])
    expect(listed.code, listed.stderr).toBe(0)
    const [header, ...lines] = listed.stdout.trim().split('\n')
    expect(header).toBe('id\tusername\trole\tstate\tcreated')
    const rows = lines.map((line) => line.split('\t'))
    expect(rows.map((row) => [row[1], row[2], row[3]])).toEqual([
      ['cli-alice', 'user', 'enabled'],
      ['cli-root', 'admin', 'enabled'],
    ])
    expect(listed.stdout).not.toContain('cli password')
    expect(listed.stdout).not.toContain('$argon2')
  })

  it('never creates a second account for a taken name, nor changes the first', async () => {
    const before = await run(['users', 'list'])
    const taken = await run(
      ['users', 'create', 'CLI-ALICE', '--role', 'admin', '--password-stdin'],
      'another fine password 42\n',
    )
    expect(taken.stdout + taken.stderr).toMatch(/exists|taken/i)
    expect((await run(['users', 'list'])).stdout).toBe(before.stdout)
  })

  it('refuses a weak password with a message and a non-zero exit', async () => {
    const weak = await run(['users', 'create', 'cli-weak', '--password-stdin'], 'short\n')
    expect(weak.code).not.toBe(0)
    expect(weak.stderr).toMatch(/password/i)
    expect((await run(['users', 'list'])).stdout).not.toContain('cli-weak')
  })

  it('exits with the configuration problems when the environment is invalid', async () => {
    const saved = env
    env = { ...env, NODE_ENV: 'production', GATEHOUSE_SECRET: 'short' }
    try {
      const result = await run(['users', 'list'])
      expect(result.code).toBe(2)
      expect(result.stderr).toContain('GATEHOUSE_SECRET')
      expect(result.stderr).toContain('GATEHOUSE_ISSUER')
    } finally {
      env = saved
    }
  })
})
