// A small load generator for operations tests: a few loops sending requests back to back, recording
// every outcome, so a test can count exactly what failed and how.

/** One request's outcome: an HTTP status, or the error code of a request that got no response. */
export interface Outcome {
  /** Milliseconds since the load started. */
  at: number
  /** Which request of the mix it was. */
  name: string
  status?: number
  /** `ECONNREFUSED` means the connection was never accepted; anything else is a failure. */
  error?: string
  /** The response body's `code`, for non-2xx answers. */
  code?: string
}

/** One kind of request in the mix: returns the response, or throws the fetch error. */
export interface LoadRequest {
  name: string
  send(): Promise<Response>
}

/** A running load: stop it to get every outcome. */
export interface Load {
  outcomes: Outcome[]
  stop(): Promise<Outcome[]>
  /** Milliseconds since the load started. */
  elapsed(): number
}

/**
 * Runs `loops` concurrent loops, each sending the requests of `mix` in turn until stopped. A loop
 * that is refused a connection waits a little before the next try, so a closed port is not hammered.
 */
export function startLoad(mix: LoadRequest[], loops: number): Load {
  const started = performance.now()
  const outcomes: Outcome[] = []
  let running = true
  const elapsed = () => Math.round(performance.now() - started)
  const loop = async (offset: number) => {
    for (let index = offset; running; index += 1) {
      const request = mix[index % mix.length] as LoadRequest
      try {
        const response = await request.send()
        const text = await response.text()
        const outcome: Outcome = { at: elapsed(), name: request.name, status: response.status }
        if (!response.ok) outcome.code = codeOf(text)
        outcomes.push(outcome)
      } catch (error) {
        const code = errorCode(error)
        outcomes.push({ at: elapsed(), name: request.name, error: code })
        if (code === 'ECONNREFUSED') await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }
  }
  const loopsDone = Promise.all(Array.from({ length: loops }, (_, index) => loop(index)))
  return {
    outcomes,
    elapsed,
    stop: async () => {
      running = false
      await loopsDone
      return outcomes
    },
  }
}

/** The outcomes that are failures: an error response, or a lost connection that had been accepted. */
export function failures(outcomes: readonly Outcome[]): Outcome[] {
  return outcomes.filter((outcome) =>
    outcome.error === undefined ? (outcome.status ?? 0) >= 400 : outcome.error !== 'ECONNREFUSED',
  )
}

/** Counts outcomes by a key, for a readable summary in the test log. */
export function tally(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const outcome of outcomes) {
    const key = outcome.error ?? `${outcome.status}${outcome.code ? ` ${outcome.code}` : ''}`
    counts[key] = (counts[key] ?? 0) + 1
  }
  return counts
}

function codeOf(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { code?: unknown; error?: unknown }
    return typeof body.code === 'string' ? body.code : typeof body.error === 'string' ? body.error : undefined
  } catch {
    return undefined
  }
}

/** The system error code behind a fetch failure (undici wraps it in `cause`, sometimes twice). */
export function errorCode(error: unknown): string {
  let current: unknown = error
  for (let depth = 0; depth < 4 && current; depth += 1) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') return code
    current = (current as { cause?: unknown }).cause
  }
  return error instanceof Error ? error.message : String(error)
}
