// The Gatehouse process the benchmark talks to: the real server (config from the environment, as
// `gatehouse serve` reads it) plus an event-loop delay histogram and peak RSS, reported over the IPC
// channel the benchmark opened. Nothing here changes how requests are served.
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { loadConfig } from '../src/config.ts'
import { startServer } from '../src/main.ts'

const histogram = monitorEventLoopDelay({ resolution: 5 })
histogram.enable()
const milliseconds = (nanoseconds: number) => Math.round(nanoseconds / 1e4) / 100

process.on('message', (message) => {
  if (message === 'reset') {
    histogram.reset()
    process.send?.({ type: 'reset' })
  } else if (message === 'stats') {
    process.send?.({
      type: 'stats',
      eventLoopDelayMs: {
        p50: milliseconds(histogram.percentile(50)),
        p99: milliseconds(histogram.percentile(99)),
        max: milliseconds(histogram.max),
      },
      // maxRSS is in KiB, and covers the whole life of the process.
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    })
  }
})

await startServer(loadConfig())
