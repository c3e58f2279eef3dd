/* global process */
// The ceiling: a bare Fastify 5 with one JSON route, no plugins, no logging. Its own process, so it gets
// the same setup (one process, one event loop, no TypeScript loader) as the Gatehouse under test.
import Fastify from 'fastify'
import { reportStatsOverIpc } from './process-stats.mjs'

reportStatsOverIpc()
const app = Fastify({ logger: false })
app.get('/hello', async () => ({ hello: 'world' }))
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) })
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)))
