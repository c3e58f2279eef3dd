import { SingleBar } from 'cli-progress'
import { Option, type Command } from 'commander'
import { openFastapiSqlite } from '../services/import/fastapi-sqlite.ts'
import { importUsers, type ImportSummary } from '../services/import/importer.ts'
import { openJsonl } from '../services/import/jsonl.ts'
import type { ImportSource } from '../services/import/rows.ts'
import { withServiceContext } from './context.ts'

interface ImportCliOptions {
  dryRun?: boolean
  onConflict: 'skip' | 'fail'
}

/** `gatehouse import fastapi-sqlite|jsonl`: bring users over with their password hashes. */
export function registerImportCommands(program: Command): void {
  const importCommand = program
    .command('import')
    .description('import users and their password hashes; they log in with their old passwords')
  const common = (command: Command) =>
    command
      .option('--dry-run', 'check everything and report, but change nothing')
      .addOption(
        new Option(
          '--on-conflict <mode>',
          'when a username already exists: skip the row, or fail and import nothing',
        )
          .choices(['skip', 'fail'])
          .default('skip'),
      )

  common(
    importCommand
      .command('fastapi-sqlite')
      .description(
        "read the FastAPI tutorial's SQLite database (its users table: id, username, password[, role])",
      )
      .argument('<path>', 'the SQLite file, e.g. ./test.db'),
  ).action(async (path: string, options: ImportCliOptions) =>
    runImport(() => openFastapiSqlite(path), options),
  )

  common(
    importCommand
      .command('jsonl')
      .description(
        'read JSON Lines: one {"username", "password_hash" (bcrypt or argon2 PHC), "role"?} per line',
      )
      .argument('<file>'),
  ).action(async (file: string, options: ImportCliOptions) => runImport(() => openJsonl(file), options))
}

async function runImport(
  open: () => ImportSource | Promise<ImportSource>,
  options: ImportCliOptions,
): Promise<void> {
  const source = await open()
  try {
    const bar = process.stderr.isTTY
      ? new SingleBar({ format: 'importing [{bar}] {value}/{total} rows', stream: process.stderr })
      : undefined
    bar?.start(source.total, 0)
    const summary = await withServiceContext((context) =>
      importUsers(context, source, {
        dryRun: options.dryRun ?? false,
        onConflict: options.onConflict,
        onProgress: (done) => bar?.update(done),
      }),
    ).finally(() => bar?.stop())
    report(summary)
  } finally {
    source.close()
  }
}

function report(summary: ImportSummary): void {
  // Problems go to stderr with the row and the reason only: never a hash, which logs must not hold.
  for (const problem of summary.problems) {
    const who = problem.username === null ? '' : ` (${JSON.stringify(problem.username)})`
    const verb =
      problem.reason === 'username_exists' ||
      problem.reason === 'username_lookalike' ||
      problem.reason === 'email_exists'
        ? 'skipped'
        : 'invalid'
    process.stderr.write(`${problem.ref}${who}: ${verb}: ${problem.reason}\n`)
  }
  const prefix = summary.dryRun ? 'Dry run, nothing written: would import' : 'Imported'
  process.stdout.write(
    `${prefix} ${summary.imported}, skipped ${summary.skipped}, invalid ${summary.invalid}\n`,
  )
}
