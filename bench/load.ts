// One autocannon run, reduced to the numbers the report keeps. Every scenario of a run uses the same
// connections and duration unless it says otherwise, so the ratios compare like with like.
import autocannon from 'autocannon'

/** A request template; `setup` may rewrite it per request (another user's token, a fresh body). */
export interface LoadRequest {
  method?: 'GET' | 'POST'
  path: string
  headers?: Record<string, string>
  body?: string
  setup?: (request: autocannon.Request, context: Record<string, unknown>) => autocannon.Request
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void
}

/** The measured outcome of one load run. */
export interface LoadResult {
  requestsPerSecond: number
  latencyMs: { mean: number; p50: number; p99: number; max: number }
  requests: number
  /** Non-2xx answers and socket errors: a scenario with any is reported as failing. */
  failures: number
}

/** Runs `connections` connections against `base` for `seconds`. */
export async function runLoad(
  base: string,
  request: LoadRequest,
  options: { connections: number; seconds: number },
): Promise<LoadResult> {
  const result = await autocannon({
    url: base,
    connections: options.connections,
    duration: options.seconds,
    timeout: 30,
    requests: [
      {
        method: request.method ?? 'GET',
        path: request.path,
        headers: request.headers,
        body: request.body,
        ...(request.setup ? { setupRequest: request.setup as never } : {}),
        ...(request.onResponse ? { onResponse: request.onResponse as never } : {}),
      },
    ],
  })
  const seconds = result.duration > 0 ? result.duration : options.seconds
  return {
    requestsPerSecond: Math.round(result.requests.total / seconds),
    latencyMs: {
      mean: result.latency.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    requests: result.requests.total,
    failures: result.non2xx + result.errors + result.timeouts,
  }
}

/** A `setup` that sends each request with the next token of `tokens`, round robin. */
export function rotatingBearer(tokens: readonly string[]): NonNullable<LoadRequest['setup']> {
  let next = 0
  return (request) => {
    const token = tokens[next++ % tokens.length]
    return { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } }
  }
}
