import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// `npm run test:cluster`: haproxy in front of several `gatehouse serve` processes (test/cluster). Kept out
// of `npm test`, which stays fast; one file at a time, since each starts processes and load of its own.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/cluster/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 240_000,
    pool: 'forks',
    fileParallelism: false,
  },
})
