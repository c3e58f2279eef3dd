import { describe, expect, it } from 'vitest'
import { queueEmail } from '../../src/services/email/outbox.ts'
import { closedAfterEach } from '../helpers/hooks.ts'
import { sampleValue, scrape } from '../helpers/metrics.ts'

const TOKEN = 'metrics-token-0123456789abcdef'

describe('the email outbox in /readyz and /metrics', () => {
  const fresh = closedAfterEach()

  it('counts each failed send and the outbox depth; mail down shows in /readyz without making it 503', async () => {
    // Port 1 on loopback refuses connections at once: every attempt fails.
    const server = await fresh.server({
      env: { GATEHOUSE_SMTP_URL: 'smtp://127.0.0.1:1', GATEHOUSE_METRICS_TOKEN: TOKEN },
    })
    const context = server.app.services
    await queueEmail(context.db, context, {
      to: 'someone@example.test',
      kind: 'verify_email',
      userId: null,
      values: { link: 'https://example.test/x', code: '123456', minutes: '15' },
    })
    const before = await scrape(`${server.baseUrl}/metrics`, TOKEN)
    expect(sampleValue(before, 'gatehouse_email_outbox_depth')).toBe(1)
    expect((await server.app.inject({ method: 'GET', url: '/readyz' })).json()).toMatchObject({
      status: 'ready',
      components: { mail: { status: 'up' } },
    })

    // The app's own timer may take a pass in between; each pass after the clock moves fails once more.
    for (let pass = 0; pass < 4; pass += 1) {
      await server.app.sendOutbox()
      server.clock.advanceSeconds(3600)
    }
    const after = await scrape(`${server.baseUrl}/metrics`, TOKEN)
    expect(
      (sampleValue(after, 'gatehouse_email_send_failures_total') ?? 0) -
        (sampleValue(before, 'gatehouse_email_send_failures_total') ?? 0),
    ).toBeGreaterThanOrEqual(3)
    expect(sampleValue(after, 'gatehouse_email_outbox_depth')).toBe(1)
    const ready = await server.app.inject({ method: 'GET', url: '/readyz' })
    expect(ready.statusCode).toBe(200)
    expect(ready.json()).toMatchObject({ status: 'ready', components: { mail: { status: 'down' } } })
  })
})
