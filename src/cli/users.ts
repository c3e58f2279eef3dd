import { Option, type Command } from 'commander'
import { listUsers } from '../db/users.ts'
import { createUser, ROLES } from '../services/users.ts'
import { withServiceContext } from './context.ts'
import { promptPassword, readPasswordFromStdin } from './password-input.ts'

/** `gatehouse users create|list`. */
export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('manage user accounts')

  users
    .command('create')
    .description('create a user; the password is prompted for, or read from standard input')
    .argument('<username>')
    .addOption(new Option('--role <role>', 'role of the new user').choices([...ROLES]).default('user'))
    .option('--password-stdin', 'read the password from standard input instead of prompting')
    .action(async (username: string, options: { role: string; passwordStdin?: boolean }) => {
      const password = options.passwordStdin
        ? await readPasswordFromStdin()
        : await promptPassword('Password: ')
      const user = await withServiceContext((context) =>
        createUser(context, { username, password, role: options.role }),
      )
      process.stdout.write(`Created ${user.role} ${user.username} (${user.id})\n`)
    })

  users
    .command('list')
    .description('list users')
    .option('--limit <n>', 'how many users to show', '100')
    .action(async (options: { limit: string }) => {
      const rows = await withServiceContext((context) => listUsers(context.db, Number(options.limit)))
      for (const user of rows) {
        const state = user.disabled_at === null ? 'enabled' : 'disabled'
        process.stdout.write(
          `${user.id}\t${user.username}\t${user.role}\t${state}\t${new Date(user.created_at).toISOString()}\n`,
        )
      }
    })
}
