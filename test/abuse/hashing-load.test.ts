import { describe, expect, it } from 'vitest'
import { attemptLogin, bearer, loginToken, registerUser } from '../helpers/api.ts'
import { closedAfterEach } from '../helpers/hooks.ts'
import { PASSWORD } from '../helpers/users.ts'
import { waitFor } from '../helpers/wait.ts'

// Costlier than the test default, so a hash takes long enough for a queue to form.
const SLOW_HASH = { GATEHOUSE_ARGON2_MEMORY_KIB: '8192', GATEHOUSE_ARGON2_ITERATIONS: '2' }

describe('password hashing under load', () => {
  const fresh = closedAfterEach()

  it('answers 503 with Retry-After once the bounded queue is full', async () => {
    const testApp = await fresh.app({
      env: { ...SLOW_HASH, GATEHOUSE_HASH_CONCURRENCY: '1', GATEHOUSE_HASH_QUEUE_MAX: '1' },
    })
    // Distinct names, so only the queue (not the account throttle) can refuse them.
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) => attemptLogin(testApp.app, `flood-${i}`, PASSWORD)),
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
    const { app } = await fresh.app({
      env: { ...SLOW_HASH, GATEHOUSE_HASH_CONCURRENCY: '1', GATEHOUSE_HASH_QUEUE_MAX: '100' },
    })
    await registerUser(app, 'steady')
    const token = await loginToken(app, 'steady')

    const flood = Promise.all(Array.from({ length: 40 }, (_, i) => attemptLogin(app, `flood-${i}`, PASSWORD)))
    const semaphore = app.services.passwords.semaphore
    await waitFor(async () => semaphore.load.waiting > 10, 10_000, 5)

    const profile = await app.inject({ url: '/profile', headers: bearer(token) })
    const jwks = await app.inject({ url: '/.well-known/jwks.json' })
    expect(profile.statusCode).toBe(200)
    expect(jwks.statusCode).toBe(200)
    // Both answered while logins were still queued behind the hasher, not after the flood drained.
    expect(semaphore.load.waiting).toBeGreaterThan(0)

    const statuses = (await flood).map((response) => response.statusCode)
    expect(new Set(statuses)).toEqual(new Set([401]))
  })
})
