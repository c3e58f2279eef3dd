/* global process */
// What a benchmarked server process reports about itself over IPC: event-loop delay, peak RSS and the
// CPU time it used since the last reset. CPU time makes the results comparable on a loaded machine:
// requests per CPU-second is the rate the process would reach with a core to itself. Plain JavaScript,
// so the measured servers run without the TypeScript loader, as `npm start` does.
import { monitorEventLoopDelay } from 'node:perf_hooks'

/** Answers 'reset' and 'stats' messages from the benchmark. */
export function reportStatsOverIpc() {
  const histogram = monitorEventLoopDelay({ resolution: 5 })
  histogram.enable()
  let cpuAtReset = process.cpuUsage()
  const milliseconds = (nanoseconds) => Math.round(nanoseconds / 1e4) / 100
  const megabytes = (bytes) => Math.round(bytes / 2 ** 20)
  process.on('message', (message) => {
    if (message === 'reset') {
      histogram.reset()
      cpuAtReset = process.cpuUsage()
      process.send?.({ type: 'reset' })
    } else if (message === 'stats') {
      const cpu = process.cpuUsage(cpuAtReset)
      const memory = process.memoryUsage()
      process.send?.({
        type: 'stats',
        eventLoopDelayMs: {
          p50: milliseconds(histogram.percentile(50)),
          p99: milliseconds(histogram.percentile(99)),
          max: milliseconds(histogram.max),
        },
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        // maxRSS is in KiB, and covers the whole life of the process.
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
        rssMb: megabytes(memory.rss),
        heapUsedMb: megabytes(memory.heapUsed),
      })
    }
  })
}
