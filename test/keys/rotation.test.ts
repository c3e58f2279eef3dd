import { describe, expect, it } from 'vitest'
import { retireKeyNow, rotateNow } from '../../src/services/keys/rotation.ts'
import { JWKS_MAX_AGE_SECONDS, KEY_PREPUBLICATION_MS } from '../../src/services/keys/schedule.ts'
import { login, profileStatus, registerUser } from '../helpers/api.ts'
import type { TestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { defined } from '../helpers/defined.ts'
import { closedAfterEach } from '../helpers/hooks.ts'
import { kidOf } from '../helpers/tokens.ts'

const HOUR = 3600

const jwksKids = async (testApp: TestApp) =>
  (await testApp.app.inject({ method: 'GET', url: '/.well-known/jwks.json' }))
    .json<{ keys: Array<{ kid: string }> }>()
    .keys.map((key) => key.kid)

describe.each(DIALECTS)('signing key rotation on %s', (dialect) => {
  const fresh = closedAfterEach()
  const start = async () => {
    const testApp = await fresh.app({ dialect, env: { GATEHOUSE_KEY_ROTATION_INTERVAL: String(HOUR) } })
    await registerUser(testApp.app, 'keyholder')
    return testApp
  }

  it('does nothing before rotation is due', async () => {
    const current = await start()
    current.clock.advance(HOUR * 1000 - KEY_PREPUBLICATION_MS - 1000)
    expect(await current.app.runKeyMaintenance()).toEqual({ retiredKids: [] })
    expect(await jwksKids(current)).toHaveLength(1)
  })

  it('publishes the next key at least one JWKS cache lifetime before it signs, then switches', async () => {
    const current = await start()
    const { app, clock } = current
    clock.advance(HOUR * 1000 - KEY_PREPUBLICATION_MS)
    const before = await login(app, 'keyholder')
    const oldKid = kidOf(before.access_token)
    const outcome = await app.runKeyMaintenance()
    expect(outcome.createdKid).toBeDefined()
    const next = await app.services.db
      .selectFrom('signing_keys')
      .selectAll()
      .where('kid', '=', defined(outcome.createdKid))
      .executeTakeFirstOrThrow()
    expect(next.not_before - clock.now()).toBeGreaterThanOrEqual(JWKS_MAX_AGE_SECONDS * 1000)
    expect(await jwksKids(current)).toEqual(expect.arrayContaining([oldKid, outcome.createdKid]))
    // Published but not yet signing.
    expect(kidOf((await login(app, 'keyholder')).access_token)).toBe(oldKid)
    expect((await app.runKeyMaintenance()).createdKid).toBeUndefined()

    clock.advance(KEY_PREPUBLICATION_MS)
    const after = await login(app, 'keyholder')
    expect(kidOf(after.access_token)).toBe(outcome.createdKid)
    expect(await profileStatus(app, before.access_token)).toBe(200)
    expect(await profileStatus(app, after.access_token)).toBe(200)
  })

  it('keeps a retired key published until its last token expires, then removes it', async () => {
    const current = await start()
    const { app, clock, config } = current
    clock.advance(HOUR * 1000 - KEY_PREPUBLICATION_MS)
    await app.runKeyMaintenance()
    clock.advance(KEY_PREPUBLICATION_MS - 1000)
    const old = await login(app, 'keyholder')
    clock.advance(1000)
    const { retiredKids } = await app.runKeyMaintenance()
    expect(retiredKids).toEqual([kidOf(old.access_token)])
    expect(await jwksKids(current)).toContain(kidOf(old.access_token))
    clock.advanceSeconds(config.accessTokenTtlSeconds - 60)
    expect(await profileStatus(app, old.access_token)).toBe(200)
    clock.advanceSeconds(60 + config.clockSkewSeconds)
    await app.runKeyMaintenance()
    expect(await jwksKids(current)).not.toContain(kidOf(old.access_token))
    expect(await profileStatus(app, old.access_token)).toBe(401)
  })

  it('rotates at once on demand, keeping old tokens valid', async () => {
    const current = await start()
    const old = await login(current.app, 'keyholder')
    const { createdKid, retiredKids } = await rotateNow(current.app.keyRotation)
    expect(retiredKids).toEqual([kidOf(old.access_token)])
    expect(kidOf((await login(current.app, 'keyholder')).access_token)).toBe(createdKid)
    expect(await profileStatus(current.app, old.access_token)).toBe(200)
  })

  it('brings a pre-published key forward when rotating on demand', async () => {
    const current = await start()
    current.clock.advance(HOUR * 1000 - KEY_PREPUBLICATION_MS)
    const scheduled = (await current.app.runKeyMaintenance()).createdKid
    expect((await rotateNow(current.app.keyRotation)).createdKid).toBe(scheduled)
    expect(kidOf((await login(current.app, 'keyholder')).access_token)).toBe(scheduled)
  })

  it('kills every token of a retired key at once and signs with a fresh key', async () => {
    const current = await start()
    const old = await login(current.app, 'keyholder')
    const outcome = await retireKeyNow(current.app.keyRotation, defined(kidOf(old.access_token)))
    expect(outcome.createdKid).toBeDefined()
    expect(await profileStatus(current.app, old.access_token)).toBe(401)
    expect(await jwksKids(current)).not.toContain(kidOf(old.access_token))
    const fresh = await login(current.app, 'keyholder')
    expect(kidOf(fresh.access_token)).toBe(outcome.createdKid)
    expect(await profileStatus(current.app, fresh.access_token)).toBe(200)
  })

  it('does not rotate when the interval is 0', async () => {
    const testApp = await fresh.app({ dialect, env: { GATEHOUSE_KEY_ROTATION_INTERVAL: '0' } })
    testApp.clock.advanceSeconds(400 * 86_400)
    expect((await testApp.app.runKeyMaintenance()).createdKid).toBeUndefined()
  })
})
