import { describe, expect, it } from 'vitest'
import { createTestApp } from '../helpers/app.ts'
import { useTestApp } from '../helpers/hooks.ts'

// A caller without a token learns nothing about a protected route's body schema: 401 comes first.
describe('authentication before body validation', () => {
  const testApp = useTestApp(() => createTestApp())

  it.each([
    ['PUT', '/profile'],
    ['POST', '/profile/password'],
    ['DELETE', '/profile'],
    ['DELETE', '/sessions?scope=nonsense'],
  ] as const)('%s %s answers 401 to a wrong body without a token', async (method, url) => {
    for (const request of [
      { payload: 'not json', headers: { 'content-type': 'text/plain' } },
      { payload: { unexpected: true } },
    ]) {
      const response = await testApp.app.inject({ method, url, ...request })
      expect(response.statusCode).toBe(401)
      expect(response.headers['www-authenticate']).toBe('Bearer')
    }
  })

  it('puts the request id in 5xx bodies', async () => {
    const broken = await createTestApp()
    await broken.app.services.db.destroy()
    const response = await broken.app.inject({ method: 'GET', url: '/readyz' })
    expect(response.statusCode).toBe(503)
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types asymmetric matchers as any
    expect(response.json()).toMatchObject({ code: 'database_unavailable', request_id: expect.any(String) })
    await broken.app.close().catch(() => undefined)
  })
})
