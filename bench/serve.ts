// The Gatehouse process the benchmark talks to: the real server (config from the environment, as
// `gatehouse serve` reads it, GATEHOUSE_WORKERS included) plus the stats of bench/process-stats.ts.
// Nothing here changes how requests are served.
import { loadConfig } from '../src/config.ts'
import { startServer } from '../src/main.ts'
import { reportStatsOverIpc } from './process-stats.ts'

reportStatsOverIpc()
await startServer(loadConfig())
