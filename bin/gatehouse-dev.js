#!/usr/bin/env node
// The `gatehouse` command run from the TypeScript sources through tsx, with no build step: for
// development (`npm run dev`) and for the tests, which must see the sources they are testing.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/main.ts')
