import { ServerBusyError } from '../errors.ts'

/**
 * Bounds how many expensive jobs (password hashes) run at once, with a bounded wait queue.
 * argon2 runs on libuv's thread pool; keeping this below the pool size leaves threads for everything else.
 */
export class Semaphore {
  private running = 0
  private readonly waiting: Array<() => void> = []
  private observer: ((waitSeconds: number, runSeconds: number) => void) | undefined

  constructor(
    private readonly limit: number,
    private readonly queueMax: number,
  ) {}

  /** Runs `job` when a slot is free; throws ServerBusyError at once if the queue is full. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    // Durations for the metrics only; nothing is decided by them, so the injected clock is not needed.
    const queuedAt = performance.now()
    if (this.running >= this.limit) {
      if (this.waiting.length >= this.queueMax) throw new ServerBusyError()
      await new Promise<void>((resolve) => this.waiting.push(resolve))
    } else {
      this.running += 1
    }
    const startedAt = performance.now()
    try {
      return await job()
    } finally {
      this.observer?.((startedAt - queuedAt) / 1000, (performance.now() - startedAt) / 1000)
      const next = this.waiting.shift()
      // Hand the slot straight to the next waiter, so the count never dips and lets a newcomer jump the queue.
      if (next) next()
      else this.running -= 1
    }
  }

  /** Reports each job's wait for a slot and its run time, in seconds (the hashing metrics). */
  observe(observer: (waitSeconds: number, runSeconds: number) => void): void {
    this.observer = observer
  }

  /** Jobs running and waiting, for metrics and tests. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length }
  }
}
