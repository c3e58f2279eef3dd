import { tryAcquireLease } from '../../db/leases.ts'
import type { ServiceContext } from '../context.ts'

/**
 * Runs `run` only on the instance that holds the named lease, taking it when it is free or has lapsed and
 * renewing it when this holder has it; another holder's live lease means this pass is skipped. Returns
 * whether `run` ran. With the lease held for most of the job's interval, one instance of a deployment
 * runs the job each interval, and another takes over within one interval if it dies.
 */
export async function runUnderLease(
  context: Pick<ServiceContext, 'db' | 'clock'>,
  lease: { name: string; holder: string; ttlMs: number },
  run: () => Promise<unknown>,
): Promise<boolean> {
  const now = context.clock.now()
  if (!(await tryAcquireLease(context.db, lease.name, lease.holder, now, now + lease.ttlMs))) return false
  await run()
  return true
}
