import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { promptNewPassword } from '../../src/cli/password-input.ts'
import { VERSION } from '../../src/installation.ts'
import { CLI_TEST_TIMEOUT_MS, runCli, sqliteCliEnv } from '../helpers/cli.ts'
import { removeDirectory, temporaryDirectory } from '../helpers/files.ts'

describe('the gatehouse command (issue 15)', () => {
  const folder = temporaryDirectory('ops-cli')
  afterAll(() => removeDirectory(folder))
  const env = sqliteCliEnv(join(folder, 'gatehouse.db'))

  it(
    'prints its version with --version and -V',
    async () => {
      for (const flag of ['--version', '-V']) {
        const result = await runCli([flag], { env })
        expect(result.code).toBe(0)
        expect(result.stdout.trim()).toBe(VERSION)
      }
      expect(VERSION).toMatch(/^\d+\.\d+\.\d+/)
    },
    CLI_TEST_TIMEOUT_MS,
  )

  it(
    'lists users under a header row, and names key states by what the key still does',
    async () => {
      const created = await runCli(['users', 'create', 'ops-user', '--password-stdin'], {
        env,
        stdin: 'a fine password for ops\n',
      })
      expect(created.code, created.stderr).toBe(0)
      const users = (await runCli(['users', 'list'], { env })).stdout.trim().split('\n')
      expect(users[0]).toBe('id\tusername\trole\tstate\tcreated')
      expect(users[1]).toContain('\tops-user\tuser\tenabled\t')

      const rotate = await runCli(['keys', 'rotate'], { env })
      expect(rotate.stdout).toContain('nobody is logged out')
      const keys = (await runCli(['keys', 'list'], { env })).stdout.trim().split('\n')
      expect(keys[0]).toBe('kid\talg\tstate\tcreated\tsigns_from\tretired\tpublished_until')
      expect(
        keys
          .slice(1)
          .map((line) => line.split('\t')[2])
          .sort(),
      ).toEqual(['signing', 'verifying'])
      const help = await runCli(['keys', 'list', '--help'], { env })
      expect(help.stdout.replace(/\s+/g, ' ')).toContain(
        'verifying (stopped signing after a rotation; still verifies the tokens it signed until published_until, so nobody is logged out)',
      )
    },
    CLI_TEST_TIMEOUT_MS,
  )

  it('asks for a new password twice and refuses two that differ', async () => {
    const answers = (...typed: string[]) => {
      const questions: string[] = []
      const ask = (question: string) => {
        questions.push(question)
        return Promise.resolve(typed.shift() ?? '')
      }
      return { ask, questions }
    }
    const same = answers('one fine password', 'one fine password')
    await expect(promptNewPassword(same.ask)).resolves.toBe('one fine password')
    expect(same.questions).toEqual(['Password: ', 'Repeat the password: '])
    const typo = answers('one fine password', 'one fine pasword')
    await expect(promptNewPassword(typo.ask)).rejects.toThrow('the two passwords differ')
  })
})
