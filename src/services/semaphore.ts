import { ServerBusyError } from '../errors.ts'

/**
 * Bounds how many expensive jobs (password hashes) run at once, with a bounded wait queue.
 * argon2 runs on libuv's thread pool; keeping this below the pool size leaves threads for everything else.
 */
export class Semaphore {
  private running = 0
  private readonly waiting: Array<() => void> = []

  constructor(
    private readonly limit: number,
    private readonly queueMax: number,
  ) {}

  /** Runs `job` when a slot is free; throws ServerBusyError at once if the queue is full. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) {
      if (this.waiting.length >= this.queueMax) throw new ServerBusyError()
      await new Promise<void>((resolve) => this.waiting.push(resolve))
    } else {
      this.running += 1
    }
    try {
      return await job()
    } finally {
      const next = this.waiting.shift()
      // Hand the slot straight to the next waiter, so the count never dips and lets a newcomer jump the queue.
      if (next) next()
      else this.running -= 1
    }
  }

  /** Jobs running and waiting, for metrics and tests. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length }
  }
}
