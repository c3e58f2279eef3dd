import { sql } from 'kysely'
import { DatabaseUnavailableError } from '../errors.ts'
import type { ServiceContext } from './context.ts'

/** Readiness: throws DatabaseUnavailableError (503) unless the database answers a trivial query. */
export async function checkReadiness(context: ServiceContext): Promise<{ status: 'ready' }> {
  try {
    await sql`select 1`.execute(context.db)
  } catch (error) {
    throw new DatabaseUnavailableError(error)
  }
  return { status: 'ready' }
}
