#!/usr/bin/env node
// Runs the compiled server (dist/server), built by `npm run build`, which `npm ci` runs through the
// `prepare` script. Development and the tests run the TypeScript sources through bin/gatehouse-dev.js.
import { existsSync } from 'node:fs'

const entry = new URL('../dist/server/cli/main.js', import.meta.url)
if (!existsSync(entry)) {
  process.stderr.write(
    'gatehouse: the compiled server is missing (dist/server). Run `npm run build`, ' +
      'or `node bin/gatehouse-dev.js` to run the sources through tsx.\n',
  )
  process.exit(1)
}
await import(entry.href)
