import type { Command } from 'commander'
import { findUserByNameOrLookalike, listUsers } from '../db/users.ts'
import { normalizeNewUsername } from '../services/usernames.ts'
import { assertKnownRole, ensureUser } from '../services/users.ts'
import { withServiceContext } from './context.ts'
import { promptNewPassword, promptPassword, readPasswordFromStdin } from './password-input.ts'

/** `gatehouse users create|list`. */
export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('manage user accounts')

  users
    .command('create')
    .description(
      'create a user; the password is prompted for, or read from standard input. Idempotent: an existing ' +
        'user is reported and left exactly as it is (password and role untouched), with exit status 0',
    )
    .argument('<username>')
    .option('--role <role>', 'role of the new user: user, admin or one of GATEHOUSE_ROLES', 'user')
    .option('--password-stdin', 'read the password from standard input instead of prompting')
    .action(async (username: string, options: { role: string; passwordStdin?: boolean }) => {
      await withServiceContext(async (context) => {
        assertKnownRole(context.config, options.role)
        // Checked before prompting, so nobody types a password that would be thrown away: an invalid
        // name, the name itself (left unchanged) or a name that looks like another account's (refused).
        const name = normalizeNewUsername(username)
        const holder = await findUserByNameOrLookalike(context.db, name.canonical, name.skeleton)
        if (holder?.username_canonical === name.canonical) {
          process.stdout.write(`User ${username} exists; left unchanged\n`)
          return
        }
        if (holder) throw new Error(`username ${username} looks like the existing user ${holder.username}`)
        const password = options.passwordStdin
          ? await readPasswordFromStdin()
          : await promptNewPassword(promptPassword)
        const outcome = await ensureUser(
          context,
          { username, password, role: options.role },
          'user.create_cli',
        )
        process.stdout.write(
          outcome === 'created'
            ? `Created ${options.role} ${username}\n`
            : `User ${username} exists; left unchanged\n`,
        )
      })
    })

  users
    .command('list')
    .description('list users')
    .option('--limit <n>', 'how many users to show', '100')
    .action(async (options: { limit: string }) => {
      const rows = await withServiceContext((context) => listUsers(context.db, Number(options.limit)))
      // A header row, as `keys list` has.
      process.stdout.write('id\tusername\trole\tstate\tcreated\n')
      for (const user of rows) {
        const state = user.disabled_at === null ? 'enabled' : 'disabled'
        process.stdout.write(
          `${user.id}\t${user.username}\t${user.role}\t${state}\t${new Date(user.created_at).toISOString()}\n`,
        )
      }
    })
}
