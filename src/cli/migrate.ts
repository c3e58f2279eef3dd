import type { Command } from 'commander'
import { loadConfig } from '../config.ts'
import { connectDatabase } from '../db/connect.ts'
import { migrateToLatest } from '../db/migrate.ts'

/** `gatehouse migrate`: bring the schema up to date without starting the server. */
export function registerDatabaseCommands(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (the server also does this at start)')
    .action(async () => {
      const config = loadConfig()
      const { db } = connectDatabase(config.database, { poolMax: 1, statementTimeoutMs: 60_000 })
      try {
        const result = await migrateToLatest(db)
        const applied = (result.results ?? []).filter((entry) => entry.status === 'Success')
        if (applied.length === 0) process.stdout.write('Database is up to date.\n')
        for (const entry of applied) process.stdout.write(`Applied ${entry.migrationName}\n`)
      } finally {
        await db.destroy()
      }
    })
}
