import { sql } from 'kysely'
import { DatabaseUnavailableError, ShuttingDownError } from '../errors.ts'
import type { ServiceContext } from './context.ts'

/**
 * Readiness: throws ShuttingDownError (503) once the process is stopping, and DatabaseUnavailableError
 * (503) unless the database answers a trivial query.
 */
export async function checkReadiness(context: ServiceContext): Promise<{ status: 'ready' }> {
  if (context.lifecycle.stopping) throw new ShuttingDownError()
  try {
    await sql`select 1`.execute(context.db)
  } catch (error) {
    throw new DatabaseUnavailableError(error)
  }
  return { status: 'ready' }
}
