import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { KEY_PICKUP_INTERVAL_MS } from '../../src/services/keys/schedule.ts'
import { testConfig } from '../helpers/config.ts'
import { HAPROXY_TEMPLATE, renderHaproxyConfig } from './infrastructure.ts'

// docs/deploy.md shows the haproxy configuration the cluster test runs, and the defaults it states.

const deployDoc = readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8')
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

describe('docs/deploy.md', () => {
  it('shows the haproxy template the cluster test renders, verbatim', () => {
    expect(deployDoc).toContain(readFileSync(HAPROXY_TEMPLATE, 'utf8'))
    const rendered = renderHaproxyConfig(8080, 8081, [
      { name: 'a', address: '10.0.0.1:8000' },
      { name: 'b', address: '10.0.0.2:8000' },
    ])
    expect(rendered).toContain('    server a 10.0.0.1:8000 check\n    server b 10.0.0.2:8000 check\n')
    expect(rendered).not.toContain('{{')
  })

  it('states the shutdown defaults and the key pick-up bound the code has', () => {
    const { drainSeconds, timeoutSeconds } = testConfig().shutdown
    expect(deployDoc).toContain(`\`GATEHOUSE_SHUTDOWN_DRAIN\` seconds (default ${drainSeconds})`)
    expect(deployDoc).toContain(`\`GATEHOUSE_SHUTDOWN_TIMEOUT\` seconds (default ${timeoutSeconds})`)
    expect(deployDoc).toContain(`within ${KEY_PICKUP_INTERVAL_MS / 1000} s`)
  })

  it('is linked from the README, whose settings table lists the shutdown settings', () => {
    expect(readme).toContain('(docs/deploy.md)')
    expect(readme).toMatch(/\| `GATEHOUSE_SHUTDOWN_DRAIN` \|.*\| 5 \|/)
    expect(readme).toMatch(/\| `GATEHOUSE_SHUTDOWN_TIMEOUT` \|.*\| 10 \|/)
  })
})
