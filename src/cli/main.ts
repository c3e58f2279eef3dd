import { Command } from 'commander'
import { existsSync } from 'node:fs'
import { ConfigError } from '../config.ts'
import { registerAuditCommands } from './audit.ts'
import { registerDbCopyCommand } from './db-copy.ts'
import { registerImportCommands } from './import.ts'
import { registerKeyCommands } from './keys.ts'
import { registerMailCommands } from './mail.ts'
import { registerDatabaseCommands } from './migrate.ts'
import { registerServeCommand } from './serve.ts'
import { registerUserCommands } from './users.ts'
import { VERSION } from '../installation.ts'

/** The `gatehouse` command line. Every command reads the same environment as the server. */
export function createProgram(): Command {
  const program = new Command('gatehouse')
    .description('Gatehouse: a self-hosted authentication server')
    .version(VERSION, '-V, --version', 'print the Gatehouse version')
    .showHelpAfterError()
  registerServeCommand(program)
  registerDatabaseCommands(program)
  registerDbCopyCommand(program)
  registerUserCommands(program)
  registerKeyCommands(program)
  registerImportCommands(program)
  registerAuditCommands(program)
  registerMailCommands(program)
  return program
}

try {
  // A .env in the working directory is read as FastAPI users expect; variables already set win.
  if (existsSync('.env')) process.loadEnvFile('.env')
  await createProgram().parseAsync(process.argv)
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`)
    process.exit(2)
  }
  process.stderr.write(`gatehouse: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
}
