import { createServiceContext } from '../app.ts'
import { loadConfig } from '../config.ts'
import type { ServiceContext } from '../services/context.ts'

/** Opens the configured database (migrating it) for one CLI command, and always closes it. */
export async function withServiceContext<T>(run: (context: ServiceContext) => Promise<T>): Promise<T> {
  const context = await createServiceContext(loadConfig())
  try {
    return await run(context)
  } finally {
    await context.db.destroy()
  }
}
