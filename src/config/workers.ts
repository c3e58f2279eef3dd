import { availableParallelism } from 'node:os'
import type { DatabaseTarget } from '../config.ts'

/** How many processes serve HTTP, and whether this one runs the once-per-deployment jobs. */
export interface WorkerSettings {
  /** GATEHOUSE_WORKERS: processes sharing the port (node:cluster); 1 serves from this process. */
  readonly workers: number
  /**
   * GATEHOUSE_BACKGROUND_JOBS: run the purge jobs here. The worker supervisor turns it off in every
   * worker but one; key maintenance runs everywhere, since it reloads keys and creates them under a lease.
   */
  readonly backgroundJobs: boolean
}

const MAX_WORKERS = 64

/** Reads GATEHOUSE_WORKERS (`N` or `auto`, default 1) and GATEHOUSE_BACKGROUND_JOBS; adds to `problems`. */
export function readWorkerSettings(
  env: Record<string, string | undefined>,
  database: DatabaseTarget | undefined,
  problems: string[],
): WorkerSettings {
  const requested = (env.GATEHOUSE_WORKERS ?? '1').trim()
  let workers = 1
  if (requested === 'auto') workers = Math.min(MAX_WORKERS, availableParallelism())
  else if (/^\d+$/.test(requested) && Number(requested) >= 1 && Number(requested) <= MAX_WORKERS)
    workers = Number(requested)
  else problems.push(`GATEHOUSE_WORKERS: must be "auto" or a whole number from 1 to ${MAX_WORKERS}`)
  if (workers > 1 && database?.kind === 'sqlite' && database.path === ':memory:') {
    problems.push('GATEHOUSE_WORKERS: several workers cannot share an in-memory SQLite database')
  }
  const jobs = (env.GATEHOUSE_BACKGROUND_JOBS ?? 'true').trim()
  if (jobs !== 'true' && jobs !== 'false') problems.push('GATEHOUSE_BACKGROUND_JOBS: must be true or false')
  return { workers, backgroundJobs: jobs !== 'false' }
}
