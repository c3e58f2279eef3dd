import { loadConfig } from '../config.ts'
import { createLogger } from '../logger.ts'
import type { ServiceContext } from '../services/context.ts'
import { closeServiceContext, createServiceContext } from '../services/create-context.ts'

/** Opens the configured database (migrating it) for one CLI command, and always closes it. */
export async function withServiceContext<T>(run: (context: ServiceContext) => Promise<T>): Promise<T> {
  const config = loadConfig()
  // Commands print their own output; the log says only what goes wrong.
  const context = await createServiceContext(config, createLogger(config, { level: 'warn' }))
  try {
    return await run(context)
  } finally {
    await closeServiceContext(context)
  }
}
