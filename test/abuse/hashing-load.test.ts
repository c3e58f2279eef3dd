import { afterEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.ts'
import { waitFor } from '../postgres/wait-for.ts'
import { login, PASSWORD, register } from './support.ts'

// Costlier than the test default, so a hash takes long enough for a queue to form.
const SLOW_HASH = { GATEHOUSE_ARGON2_MEMORY_KIB: '8192', GATEHOUSE_ARGON2_ITERATIONS: '2' }

describe('password hashing under load', () => {
  let testApp: TestApp
  afterEach(async () => {
    await testApp.close()
  })

  it('answers 503 with Retry-After once the bounded queue is full', async () => {
    testApp = await createTestApp({
      env: { ...SLOW_HASH, GATEHOUSE_HASH_CONCURRENCY: '1', GATEHOUSE_HASH_QUEUE_MAX: '1' },
    })
    // Distinct names, so only the queue (not the account throttle) can refuse them.
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) => login(testApp.app, `flood-${i}`, PASSWORD)),
    )
    const statuses = burst.map((response) => response.statusCode)
    // One hash running and one waiting get their 401; every other arrival is turned away at once.
    expect(statuses.filter((status) => status === 401)).toHaveLength(2)
    expect(statuses.filter((status) => status === 503)).toHaveLength(10)
    for (const response of burst.filter((r) => r.statusCode === 503)) {
      expect(response.headers['retry-after']).toBe('1')
      expect(response.json()).toMatchObject({ code: 'server_busy' })
    }
    const { load } = testApp.app.services.passwords.semaphore
    expect(load).toEqual({ running: 0, waiting: 0 })
  })

  it('keeps /profile and the JWKS answering while a login flood saturates the hashing queue', async () => {
    testApp = await createTestApp({
      env: { ...SLOW_HASH, GATEHOUSE_HASH_CONCURRENCY: '1', GATEHOUSE_HASH_QUEUE_MAX: '100' },
    })
    const { app } = testApp
    await register(app, 'steady')
    const token = (await login(app, 'steady', PASSWORD)).json<{ access_token: string }>().access_token

    const flood = Promise.all(Array.from({ length: 40 }, (_, i) => login(app, `flood-${i}`, PASSWORD)))
    const semaphore = app.services.passwords.semaphore
    await waitFor(async () => semaphore.load.waiting > 10, 10_000, 5)

    const profile = await app.inject({ url: '/profile', headers: { authorization: `Bearer ${token}` } })
    const jwks = await app.inject({ url: '/.well-known/jwks.json' })
    expect(profile.statusCode).toBe(200)
    expect(jwks.statusCode).toBe(200)
    // Both answered while logins were still queued behind the hasher, not after the flood drained.
    expect(semaphore.load.waiting).toBeGreaterThan(0)

    const statuses = (await flood).map((response) => response.statusCode)
    expect(new Set(statuses)).toEqual(new Set([401]))
  })
})
