import { SingleBar } from 'cli-progress'
import { InvalidArgumentError, type Command } from 'commander'
import { existsSync } from 'node:fs'
import { parseDatabaseUrl, type DatabaseTarget } from '../config.ts'
import { connectDatabase, type DatabaseHandle } from '../db/connect.ts'
import { copyDatabase, DEFAULT_COPY_BATCH_SIZE, type CopyProgress } from '../db/copy.ts'
import { migrateToLatest } from '../db/migrate.ts'

// A copy runs big batches over a possibly slow link; the server's 5 s default would cut it short.
const COPY_STATEMENT_TIMEOUT_MS = 120_000

/** `gatehouse db copy`: move an instance between engines (typically SQLite to PostgreSQL). */
export function registerDbCopyCommand(program: Command): void {
  const db = program.commands.find((command) => command.name() === 'db') ?? program.command('db')
  db.description('database maintenance')
    .command('copy')
    .description('copy every table of one Gatehouse database into another (migrating the target first)')
    .requiredOption('--from <url>', 'source, as in GATEHOUSE_DATABASE_URL (sqlite:<path> or postgres://…)')
    .requiredOption('--to <url>', 'target, as in GATEHOUSE_DATABASE_URL')
    .option('--force', 'replace the contents of a non-empty target')
    .option('--batch-size <n>', 'rows per batch', parseBatchSize, DEFAULT_COPY_BATCH_SIZE)
    .action(async (options: { from: string; to: string; force?: boolean; batchSize: number }) => {
      const from = parseTarget('--from', options.from)
      const to = parseTarget('--to', options.to)
      if (sameDatabase(from, to)) throw new Error('--from and --to name the same database')
      // Opening a missing SQLite file would silently create an empty one.
      if (from.kind === 'sqlite' && !existsSync(from.path))
        throw new Error(`--from: no such file ${from.path}`)
      const source = open(from)
      const target = open(to)
      try {
        await migrateToLatest(target.db)
        const progress = process.stdout.isTTY ? barReporter() : lineReporter()
        const report = await copyDatabase(source, target, {
          force: options.force ?? false,
          batchSize: options.batchSize,
          onProgress: progress.update,
        }).finally(progress.stop)
        const summary = report.tables.map(({ table, rows }) => `${table} ${rows}`).join(', ')
        process.stdout.write(`Copied and verified row counts: ${summary}\n`)
      } finally {
        await Promise.allSettled([source.db.destroy(), target.db.destroy()])
      }
    })
}

function parseBatchSize(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 100_000)
    throw new InvalidArgumentError('must be a whole number from 1 to 100000')
  return Number(value)
}

/** Parses with the server's own GATEHOUSE_DATABASE_URL rules, so both accept exactly the same URLs. */
function parseTarget(option: string, url: string): DatabaseTarget {
  try {
    return parseDatabaseUrl(url)
  } catch {
    throw new InvalidArgumentError(`${option}: must be sqlite:<path> or postgres://…`)
  }
}

function sameDatabase(a: DatabaseTarget, b: DatabaseTarget): boolean {
  if (a.kind === 'sqlite' && b.kind === 'sqlite') return a.path !== ':memory:' && a.path === b.path
  return a.kind === 'postgres' && b.kind === 'postgres' && a.url === b.url
}

function open(target: DatabaseTarget): DatabaseHandle {
  return connectDatabase(target, {
    poolMax: 2,
    statementTimeoutMs: COPY_STATEMENT_TIMEOUT_MS,
    onPoolError: (error) => process.stderr.write(`gatehouse: database connection error: ${error.message}\n`),
  })
}

interface ProgressReporter {
  update: (progress: CopyProgress) => void
  stop: () => void
}

/** One bar per table, redrawn in place on a terminal. */
function barReporter(): ProgressReporter {
  let bar: SingleBar | undefined
  const stop = () => {
    bar?.stop()
    bar = undefined
  }
  return {
    update: ({ table, copied, total }) => {
      if (copied === 0) {
        stop()
        bar = new SingleBar({ format: `${table.padEnd(16)} [{bar}] {value}/{total} rows` })
        bar.start(total, 0)
      }
      bar?.update(copied)
      if (copied >= total) stop()
    },
    stop,
  }
}

/** Plain lines for logs and pipes, where a redrawn bar would be noise. */
function lineReporter(): ProgressReporter {
  return {
    update: ({ table, copied, total }) => process.stdout.write(`${table}: ${copied}/${total}\n`),
    stop: () => {},
  }
}
