import { describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { connectDatabase } from '../../src/db/connect.ts'
import { ManualClock } from '../helpers/clock.ts'
import { testConfig } from '../helpers/config.ts'

describe('the access log', () => {
  it('writes one line per request', async () => {
    const lines: Array<{ message: string; fields: Record<string, unknown> }> = []
    const config = testConfig({ GATEHOUSE_LOG_LEVEL: 'info' })
    const app = await buildApp(config, {
      clock: new ManualClock(),
      database: connectDatabase({ kind: 'sqlite', path: ':memory:' }),
      logger: {
        hooks: {
          // Captured instead of written, so the test output stays clean.
          logMethod(inputs) {
            const [fields, message] = inputs as unknown as [Record<string, unknown>, string]
            if (typeof message === 'string') lines.push({ message, fields })
          },
        },
      },
    })
    try {
      lines.length = 0
      const response = await app.inject({ method: 'GET', url: '/healthz?token=secret-value' })
      expect(response.statusCode).toBe(200)
      const requestLines = lines.filter((line) => 'req' in line.fields || 'res' in line.fields)
      expect(requestLines.map((line) => line.message)).toEqual(['request completed'])
      // The request itself, so logger.ts's serializer writes it (method, path without the query, id).
      expect(requestLines[0]?.fields).toMatchObject({ res: { statusCode: 200 } })
      expect((requestLines[0]?.fields.req as { url?: string }).url).toBe('/healthz?token=secret-value')
    } finally {
      await app.close()
    }
  })
})
