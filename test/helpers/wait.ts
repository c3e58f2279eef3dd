import { setTimeout as delay } from 'node:timers/promises'

/**
 * Polls `condition` until it holds and returns how long that took, or throws after `timeoutMs`.
 * Tests wait for a state this way instead of sleeping a fixed time and hoping.
 */
export async function waitFor(
  condition: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 25,
): Promise<number> {
  const started = performance.now()
  for (;;) {
    if (await condition()) return performance.now() - started
    if (performance.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`)
    await delay(intervalMs)
  }
}
