#!/usr/bin/env node
// The TypeScript sources run directly through tsx, so `npm ci && npm start` needs no build step.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/main.ts')
