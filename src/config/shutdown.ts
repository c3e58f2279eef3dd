import { integer } from './validators.ts'

/** How a stopping process drains and how long it may take (GATEHOUSE_SHUTDOWN_*). */
export interface ShutdownSettings {
  /** Seconds between the signal and closing the listener, while /readyz answers 503 and requests are served. */
  readonly drainSeconds: number
  /** Seconds from the signal until the process exits even if requests are still running. */
  readonly timeoutSeconds: number
}

/** The environment names of the shutdown settings, spread into loadConfig's schema. */
export const shutdownEnvironment = {
  // 5 s: a balancer checking /readyz every 500 ms and marking a server down after 3 failed checks (haproxy's
  // default `fall 3`) stops sending new requests after 1.5 s plus a check's round trip; on a busy host the
  // cluster test saw haproxy take up to 2.3 s, too close to 3 s.
  GATEHOUSE_SHUTDOWN_DRAIN: integer(0, 300)({ default: 5 }),
  // 10 s: the grace `docker stop` gives before SIGKILL; Kubernetes gives 30 s, systemd 90 s.
  GATEHOUSE_SHUTDOWN_TIMEOUT: integer(1, 3600)({ default: 10 }),
}

/** Reads the shutdown settings; a drain that leaves no time to finish requests is a problem. */
export function shutdownSettings(
  raw: { GATEHOUSE_SHUTDOWN_DRAIN: number; GATEHOUSE_SHUTDOWN_TIMEOUT: number },
  problems: string[],
): ShutdownSettings {
  if (raw.GATEHOUSE_SHUTDOWN_DRAIN >= raw.GATEHOUSE_SHUTDOWN_TIMEOUT) {
    problems.push('GATEHOUSE_SHUTDOWN_DRAIN: must be shorter than GATEHOUSE_SHUTDOWN_TIMEOUT')
  }
  return { drainSeconds: raw.GATEHOUSE_SHUTDOWN_DRAIN, timeoutSeconds: raw.GATEHOUSE_SHUTDOWN_TIMEOUT }
}
