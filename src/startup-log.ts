import { resolve } from 'node:path'
import type { Config, DatabaseTarget } from './config.ts'
import { secretFile } from './dev-secret.ts'

// What the first lines of a server's log tell a newcomer and an operator (issue 15): which secret file
// was generated, a development issuer that points at another port, and where the docs are.

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 }

/** The database named for a log line: the SQLite file, or the PostgreSQL URL without its password. */
export function describeDatabase(target: DatabaseTarget): string {
  if (target.kind === 'sqlite')
    return target.path === ':memory:' ? 'sqlite (in memory)' : `sqlite:${resolve(target.path)}`
  try {
    const url = new URL(target.url)
    if (url.password !== '') url.password = '***'
    return url.toString()
  } catch {
    return 'postgres'
  }
}

/** Warnings to log before listening. */
export function startupWarnings(config: Config): string[] {
  const warnings: string[] = []
  if (config.secretGenerated) {
    const file = secretFile(config.database)
    warnings.push(
      `GATEHOUSE_SECRET is not set: using a development secret generated into ${file === undefined ? 'memory' : resolve(file)}. ` +
        'Set GATEHOUSE_SECRET (32+ bytes) before going to production; NODE_ENV=production refuses to start without it. ' +
        'Keep that file: it seals the signing keys.',
    )
  }
  const issuer = new URL(config.issuer)
  const issuerPort = issuer.port === '' ? DEFAULT_PORTS[issuer.protocol] : Number(issuer.port)
  // A .env copied with another PORT once left discovery silently pointing at port 8000. Behind a proxy the
  // ports differ on purpose, so this is only a warning, and only in development.
  if (
    !config.production &&
    issuerPort !== config.port &&
    ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname)
  ) {
    warnings.push(
      `GATEHOUSE_ISSUER is ${config.issuer} but the server listens on port ${config.port}: ` +
        'discovery and the tokens will name the other port. Unset GATEHOUSE_ISSUER or make the ports agree.',
    )
  }
  return warnings
}

/** The fields of the "gatehouse started" line, logged once the server listens. */
export function startupSummary(config: Config): Record<string, string> {
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  return {
    docs: `http://${host}:${config.port}/docs`,
    issuer: config.issuer,
    database: describeDatabase(config.database),
    signing_algorithm: config.jwtAlgorithm,
  }
}
