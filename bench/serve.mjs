/* global process, URL */
// The Gatehouse the benchmark talks to: the compiled server (dist/server, as `npm start` runs it; built
// by `npm run build`, which `npm ci` runs), configured from the environment like `gatehouse serve`,
// GATEHOUSE_WORKERS included, plus the stats of bench/process-stats.mjs. Nothing here changes how
// requests are served.
import { existsSync } from 'node:fs'
import { reportStatsOverIpc } from './process-stats.mjs'

const server = new URL('../dist/server/', import.meta.url)
if (!existsSync(new URL('main.js', server))) {
  process.stderr.write('bench: dist/server is missing; run `npm run build:server` first\n')
  process.exit(1)
}
const { loadConfig } = await import(new URL('config.js', server).href)
const { startServer } = await import(new URL('main.js', server).href)
reportStatsOverIpc()
await startServer(loadConfig())
