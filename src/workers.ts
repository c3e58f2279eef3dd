import cluster, { type Worker } from 'node:cluster'
import type { Config } from './config.ts'
import { createLogger, type Logger } from './logger.ts'
import { closeServiceContext, createServiceContext } from './services/create-context.ts'

// A worker that dies is replaced after this pause, so a crash loop does not spin the CPU.
const RESTART_DELAY_MS = 1000
// Workers get this long to drain on SIGTERM before they are killed.
const SHUTDOWN_GRACE_MS = 30_000

/**
 * GATEHOUSE_WORKERS > 1: this process becomes the cluster primary. It migrates the database and makes
 * sure a signing key exists (once, so workers never race to do either), then forks the workers, which
 * share the port and the database, replaces any that die, and passes SIGTERM/SIGINT on to them.
 * Background purges run in the first worker only (GATEHOUSE_BACKGROUND_JOBS=false in the others); key
 * maintenance runs in every worker because it also reloads keys, and creates keys under a database lease.
 *
 * Returns true in the primary (the caller must not serve), false in a worker or with one worker.
 */
export async function superviseWorkers(config: Config): Promise<boolean> {
  if (config.workers <= 1 || !cluster.isPrimary) return false
  const log = createLogger(config)
  await closeServiceContext(await createServiceContext(config, log))
  const slots = new Map<Worker, number>()
  let stopping = false

  const fork = (slot: number) => {
    const worker = cluster.fork({ GATEHOUSE_BACKGROUND_JOBS: slot === 0 ? 'true' : 'false' })
    slots.set(worker, slot)
  }
  cluster.on('exit', (worker, code, signal) => {
    const slot = slots.get(worker) ?? 0
    slots.delete(worker)
    if (stopping) {
      if (slots.size === 0) process.exit(0)
      return
    }
    log.error({ pid: worker.process.pid, code, signal }, 'worker exited; starting a new one')
    setTimeout(() => fork(slot), RESTART_DELAY_MS).unref()
  })
  for (let slot = 0; slot < config.workers; slot += 1) fork(slot)
  log.info({ workers: config.workers }, 'started worker processes')

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    log.info({ signal }, 'stopping workers')
    for (const worker of slots.keys()) worker.process.kill(signal)
    if (slots.size === 0) process.exit(0)
    setTimeout(() => killAll(log, slots), SHUTDOWN_GRACE_MS).unref()
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
  return true
}

function killAll(log: Logger, slots: Map<Worker, number>): void {
  log.warn({ workers: slots.size }, 'workers did not stop in time; killing them')
  for (const worker of slots.keys()) worker.process.kill('SIGKILL')
  process.exit(1)
}
