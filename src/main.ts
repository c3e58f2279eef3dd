import { buildApp } from './app.ts'
import type { Config } from './config.ts'
import { startupSummary, startupWarnings } from './startup-log.ts'

/** Starts the server on the configured address and closes it cleanly on SIGTERM or SIGINT. */
export async function startServer(config: Config): Promise<void> {
  const app = await buildApp(config)
  for (const warning of startupWarnings(config)) app.log.warn(warning)
  let closing = false
  const shutdown = (signal: string) => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down')
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
  await app.listen({ port: config.port, host: config.host })
  app.log.info(startupSummary(config), 'gatehouse started')
}
