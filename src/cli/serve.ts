import type { Command } from 'commander'
import { loadConfig } from '../config.ts'
import { startServer } from '../main.ts'

/** `gatehouse serve`: run the HTTP server. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('start the HTTP server (configured by environment variables; see .env.example)')
    .action(async () => {
      await startServer(loadConfig())
    })
}
