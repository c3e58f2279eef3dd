import { pino, type Logger, type LoggerOptions } from 'pino'
import type { Config } from './config.ts'

export type { Logger }

/**
 * The one logger of a process: Fastify logs requests through it and services log through the context.
 * `false` gives a silent logger (tests); an options object overrides the defaults.
 */
export function createLogger(config: Config, override?: false | LoggerOptions): Logger {
  if (override === false) return pino({ level: 'silent' })
  return pino({
    level: config.logLevel,
    // Never log query strings (a token could be pasted there) or any header.
    serializers: {
      req: (request: { method: string; url: string; id: string }) => ({
        method: request.method,
        url: request.url.split('?')[0],
        id: request.id,
      }),
    },
    ...override,
  })
}
