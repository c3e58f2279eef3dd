import { isIP } from 'node:net'

/** Where /metrics is served: behind a bearer token on the main port, on a loopback listener, or both. */
export interface MetricsConfig {
  /** Bearer token for GET /metrics on the main port; unset means no /metrics there. */
  readonly token: string | undefined
  /** A separate loopback listener that serves /metrics without a token. */
  readonly bind: { readonly host: string; readonly port: number } | undefined
}

const MIN_TOKEN_BYTES = 16

/**
 * Reads GATEHOUSE_METRICS_TOKEN and GATEHOUSE_METRICS_BIND, adding any problem to `problems` (the one
 * configuration error lists them all). Metrics are off unless one of them is set.
 */
export function readMetricsConfig(
  env: Record<string, string | undefined>,
  problems: string[],
): MetricsConfig {
  const token = env.GATEHOUSE_METRICS_TOKEN === '' ? undefined : env.GATEHOUSE_METRICS_TOKEN
  if (token !== undefined && Buffer.byteLength(token, 'utf8') < MIN_TOKEN_BYTES) {
    problems.push(`GATEHOUSE_METRICS_TOKEN: must be at least ${MIN_TOKEN_BYTES} bytes`)
  }
  const bindText = env.GATEHOUSE_METRICS_BIND
  let bind: MetricsConfig['bind']
  if (bindText !== undefined && bindText !== '') {
    bind = parseLoopbackBind(bindText)
    if (bind === undefined) {
      problems.push(
        'GATEHOUSE_METRICS_BIND: must be a loopback address and port, such as 127.0.0.1:9464 or [::1]:9464 ' +
          '(the listener has no token; publish it through a sidecar or an SSH tunnel, not to the network)',
      )
    }
  }
  return { token, bind }
}

/** Parses `host:port` where host is a loopback address (127.0.0.0/8, ::1, localhost). */
function parseLoopbackBind(text: string): MetricsConfig['bind'] {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim())
  if (!match) return undefined
  const host = match[1] ?? match[2] ?? ''
  const port = Number(match[3])
  if (port < 1 || port > 65_535) return undefined
  const loopback = host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'))
  return loopback ? { host: host === 'localhost' ? '127.0.0.1' : host, port } : undefined
}
