// The soak's server process: a real Gatehouse (buildApp + listen, configured from the environment the
// soak passes) that answers the soak's questions over the IPC channel only (memory, event-loop delay,
// the sessions table), so no public endpoint is added for it.
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import type { SoakAnswer, SoakQuestion } from './protocol.ts'

const app = await buildApp(loadConfig(process.env))
await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
const port = typeof address === 'object' && address ? address.port : 0

// 10 ms resolution: the sampling timer itself adds about that much, well below the bounds checked.
const loopDelay = monitorEventLoopDelay({ resolution: 10 })
loopDelay.enable()

const milliseconds = (nanoseconds: number) => nanoseconds / 1e6

async function answer(question: SoakQuestion): Promise<SoakAnswer> {
  switch (question.kind) {
    case 'memory': {
      const usage = process.memoryUsage()
      return { kind: 'memory', rss: usage.rss, heapUsed: usage.heapUsed }
    }
    case 'reset-loop-delay':
      loopDelay.reset()
      return { kind: 'done' }
    case 'loop-delay':
      return {
        kind: 'loop-delay',
        p50Ms: milliseconds(loopDelay.percentile(50)),
        p99Ms: milliseconds(loopDelay.percentile(99)),
        maxMs: milliseconds(loopDelay.max),
      }
    case 'sessions': {
      const rows = await app.services.db
        .selectFrom('sessions')
        .select(['id', 'expires_at', 'revoked_at', 'revoked_reason'])
        .execute()
      return { kind: 'sessions', now: app.services.clock.now(), rows }
    }
    case 'stop':
      await app.close()
      return { kind: 'done' }
  }
}

process.on('message', (message: { id: number; question: SoakQuestion }) => {
  answer(message.question).then(
    (reply) => {
      process.send?.({ id: message.id, reply })
      if (message.question.kind === 'stop') process.disconnect()
    },
    (error: unknown) => process.send?.({ id: message.id, error: String(error) }),
  )
})
process.send?.({ id: 0, reply: { kind: 'ready', port } satisfies SoakAnswer })
