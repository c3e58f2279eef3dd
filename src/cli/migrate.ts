import type { Command } from 'commander'
import { loadConfig } from '../config.ts'
import { connectDatabase } from '../db/connect.ts'
import { migrateToLatest } from '../db/migrate.ts'
import { backupSqliteDatabase } from '../db/backup.ts'

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

  const db = program.commands.find((command) => command.name() === 'db') ?? program.command('db')
  db.description('database maintenance')
    .command('backup')
    .description(
      'write a consistent copy of the SQLite database to <file> while the server runs (SQLite online ' +
        'backup API); for PostgreSQL use pg_dump, see docs/operations.md',
    )
    .argument('<file>', 'the new backup file (must not exist); created with mode 0600')
    .action(async (file: string) => {
      const config = loadConfig()
      if (config.database.kind !== 'sqlite' || config.database.path === ':memory:') {
        throw new Error('db backup copies a SQLite file; for PostgreSQL use pg_dump (docs/operations.md)')
      }
      const report = await backupSqliteDatabase(config.database.path, file)
      process.stdout.write(
        `Backed up ${config.database.path} to ${file} (${report.bytes} bytes, integrity ok)\n`,
      )
    })
}
