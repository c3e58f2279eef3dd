import { buildApp } from './app.ts'
import type { Config } from './config.ts'
import { superviseWorkers } from './workers.ts'

/** Starts the server on the configured address and closes it cleanly on SIGTERM or SIGINT. */
export async function startServer(config: Config): Promise<void> {
  if (await superviseWorkers(config)) return
  const app = await buildApp(config)
  if (config.secretGenerated) {
    app.log.warn(
      'GATEHOUSE_SECRET is not set: using a development secret generated into the data folder. ' +
        'Set GATEHOUSE_SECRET (32+ bytes) before going to production; NODE_ENV=production refuses to start without it.',
    )
  }
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
}
