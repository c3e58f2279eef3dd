import { describe, expect, it } from 'vitest'
import { setUserDisabled } from '../../src/db/users.ts'
import { retireKeyNow } from '../../src/services/keys/rotation.ts'
import { verifiedTokenCache } from '../../src/services/tokens/authenticate.ts'
import { VerifiedTokenCache } from '../../src/services/tokens/verified-cache.ts'
import { callWithToken, logout, profileStatus, userWithToken } from '../helpers/api.ts'
import { createAdminApp, secondAdmin } from '../helpers/admin.ts'
import { createTestApp, type TestApp } from '../helpers/app.ts'
import { defined } from '../helpers/defined.ts'
import { closedAfterEach } from '../helpers/hooks.ts'
import { expectInvalidToken, kidOf } from '../helpers/tokens.ts'

// Every case warms the verified-token cache first and checks the token is in it, so a refusal proves the
// per-request session, user and key query still runs behind the cache.
describe('the verified-token cache never delays a revocation', () => {
  const fresh = closedAfterEach()

  async function warm(testApp: TestApp, token: string) {
    expect(await profileStatus(testApp.app, token)).toBe(200)
    expect(await profileStatus(testApp.app, token)).toBe(200)
    expect(verifiedTokenCache(testApp.app.services).get(token)).toBeDefined()
  }

  it('a logout bites on the next request', async () => {
    const testApp = await fresh.app({})
    const { token } = await userWithToken(testApp.app, 'leaver')
    await warm(testApp, token)
    expect((await logout(testApp.app, token)).statusCode).toBeLessThan(300)
    expectInvalidToken(await callWithToken(testApp.app, token, 'GET', '/profile'))
  })

  it('disabling a user bites on the next request, through the API and behind its back', async () => {
    const testApp = await createAdminApp('sqlite')
    try {
      const viaApi = await userWithToken(testApp.app, 'disabled1')
      const behindBack = await userWithToken(testApp.app, 'disabled2')
      await warm(testApp, viaApi.token)
      await warm(testApp, behindBack.token)
      const patched = await callWithToken(
        testApp.app,
        testApp.rootToken,
        'PATCH',
        `/admin/users/${viaApi.id}`,
        {
          disabled: true,
        },
      )
      expect(patched.statusCode).toBe(200)
      expectInvalidToken(await callWithToken(testApp.app, viaApi.token, 'GET', '/profile'))
      // Only disabled_at changes here, the session stays: the user row itself is read on every request.
      await setUserDisabled(testApp.app.services.db, behindBack.id, testApp.clock.now())
      expectInvalidToken(await callWithToken(testApp.app, behindBack.token, 'GET', '/profile'))
    } finally {
      await testApp.close()
    }
  })

  it('a role change bites on the next request', async () => {
    const testApp = await createAdminApp('sqlite')
    try {
      const deputy = await secondAdmin(testApp, 'deputy')
      await warm(testApp, deputy.token)
      expect((await callWithToken(testApp.app, deputy.token, 'GET', '/admin/users')).statusCode).toBe(200)
      const demoted = await callWithToken(
        testApp.app,
        testApp.rootToken,
        'PATCH',
        `/admin/users/${deputy.id}`,
        {
          role: 'user',
        },
      )
      expect(demoted.statusCode).toBe(200)
      expect((await callWithToken(testApp.app, deputy.token, 'GET', '/admin/users')).statusCode).toBe(403)
    } finally {
      await testApp.close()
    }
  })

  it('retiring a key evicts what it signed, and the per-request key check refuses it on its own', async () => {
    const first = await fresh.app({})
    // A second instance on the same database, which does not reload its keys when the first retires one.
    const second = await createTestApp({ clock: first.clock, database: first.database })
    try {
      const { token } = await userWithToken(first.app, 'signed')
      await warm(first, token)
      await warm(second, token)
      const kid = defined(kidOf(token))
      await retireKeyNow(first.app.keyRotation, kid)
      expect(verifiedTokenCache(first.app.services).get(token)).toBeDefined()
      expectInvalidToken(await callWithToken(first.app, token, 'GET', '/profile'))
      // The hit found its key gone and evicted every token that key signed.
      expect(verifiedTokenCache(first.app.services).get(token)).toBeUndefined()
      // The second instance still has the key loaded and the token cached: the query refuses it.
      expect(second.app.services.keys.verificationKey(kid)).toBeDefined()
      expect(verifiedTokenCache(second.app.services).get(token)).toBeDefined()
      expectInvalidToken(await callWithToken(second.app, token, 'GET', '/profile'))
    } finally {
      await second.close()
    }
  })

  it('re-checks exp on every hit', async () => {
    const testApp = await fresh.app({})
    const { token } = await userWithToken(testApp.app, 'expiring')
    await warm(testApp, token)
    testApp.clock.advanceSeconds(testApp.config.accessTokenTtlSeconds + testApp.config.clockSkewSeconds)
    const response = await callWithToken(testApp.app, token, 'GET', '/profile')
    expectInvalidToken(response)
    expect(response.json()).toMatchObject({ detail: 'Token has expired' })
    expect(verifiedTokenCache(testApp.app.services).get(token)).toBeUndefined()
  })
})

describe('VerifiedTokenCache', () => {
  const entry = (kid: string, exp: number) => ({
    kid,
    claims: { iss: 'i', aud: 'a', sub: 's', client_id: 'c', iat: 0, exp, jti: 'j', sid: 's' },
  })

  it('holds at most its size, dropping the least recently used entry first', () => {
    const cache = new VerifiedTokenCache(3)
    cache.set('a', entry('k', 100), 0)
    cache.set('b', entry('k', 100), 0)
    cache.set('c', entry('k', 100), 0)
    expect(cache.get('a')).toBeDefined()
    cache.set('d', entry('k', 100), 0)
    expect(cache.size).toBe(3)
    expect(cache.get('b')).toBeUndefined()
    expect(['a', 'c', 'd'].every((token) => cache.get(token) !== undefined)).toBe(true)
  })

  it('sweeps expired entries and evicts by kid', () => {
    const cache = new VerifiedTokenCache(10)
    cache.set('old', entry('k1', 50), 0)
    cache.set('new', entry('k1', 500), 0)
    cache.set('other', entry('k2', 500), 0)
    cache.sweep(100)
    expect(cache.get('old')).toBeUndefined()
    cache.evictKid('k1')
    expect(cache.get('new')).toBeUndefined()
    expect(cache.get('other')).toBeDefined()
  })
})
