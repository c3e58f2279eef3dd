import { describe, expect, it } from 'vitest'
import { login, profileStatus, refresh, registerUser, type Tokens } from '../helpers/api.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { defined } from '../helpers/defined.ts'
import { closedAfterEach } from '../helpers/hooks.ts'
import { decodeToken } from '../helpers/tokens.ts'

describe.each(DIALECTS)('refresh token rotation on %s', (dialect) => {
  const fresh = closedAfterEach()
  const start = async (env: Record<string, string> = {}) => {
    const testApp = await fresh.app({ dialect, env })
    await registerUser(testApp.app, 'rotor')
    return testApp
  }

  it('issues an opaque, prefixed refresh token and stores only its hash', async () => {
    const { app } = await start()
    const tokens = await login(app, 'rotor')
    expect(tokens.refresh_token).toMatch(/^ghr_[A-Za-z0-9_-]{43}$/)
    const stored = await app.services.db.selectFrom('refresh_tokens').select('token_hash').execute()
    expect(stored).toHaveLength(1)
    expect(defined(stored[0]).token_hash).not.toContain(tokens.refresh_token.slice(4))
  })

  it('rotates on every use and the new pair works', async () => {
    const { app } = await start()
    const first = await login(app, 'rotor')
    const response = await refresh(app, first.refresh_token)
    expect(response.statusCode).toBe(200)
    expect(response.headers['cache-control']).toBe('no-store')
    expect(response.headers.pragma).toBe('no-cache')
    const second = response.json<Tokens>()
    expect(second.refresh_token).not.toBe(first.refresh_token)
    expect(second.token_type).toBe('bearer')
    expect(await profileStatus(app, second.access_token)).toBe(200)
    expect((await refresh(app, second.refresh_token)).statusCode).toBe(200)
  })

  it('revokes the whole family, access tokens included, when a rotated token is reused', async () => {
    const { app } = await start()
    const first = await login(app, 'rotor')
    const second = (await refresh(app, first.refresh_token)).json<Tokens>()
    const reuse = await refresh(app, first.refresh_token)
    expect(reuse.statusCode).toBe(400)
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types asymmetric matchers as any
    expect(reuse.json()).toEqual({ error: 'invalid_grant', error_description: expect.any(String) })
    expect((await refresh(app, second.refresh_token)).statusCode).toBe(400)
    expect(await profileStatus(app, second.access_token)).toBe(401)
    expect(await profileStatus(app, first.access_token)).toBe(401)
  })

  it('revokes the family when a grandparent is replayed', async () => {
    const { app } = await start()
    const first = await login(app, 'rotor')
    const second = (await refresh(app, first.refresh_token)).json<Tokens>()
    const third = (await refresh(app, second.refresh_token)).json<Tokens>()
    expect((await refresh(app, first.refresh_token)).statusCode).toBe(400)
    expect((await refresh(app, third.refresh_token)).statusCode).toBe(400)
    expect(await profileStatus(app, third.access_token)).toBe(401)
  })

  it('leaves other sessions of the same user alone when one family is revoked', async () => {
    const { app } = await start()
    const phone = await login(app, 'rotor')
    const laptop = await login(app, 'rotor')
    await refresh(app, phone.refresh_token)
    await refresh(app, phone.refresh_token)
    expect(await profileStatus(app, laptop.access_token)).toBe(200)
    expect((await refresh(app, laptop.refresh_token)).statusCode).toBe(200)
  })

  it('gives 20 parallel refreshes of one token at most one live successor', async () => {
    const { app } = await start()
    const first = await login(app, 'rotor')
    const responses = await Promise.all(Array.from({ length: 20 }, () => refresh(app, first.refresh_token)))
    expect(responses.every((response) => response.statusCode === 200 || response.statusCode === 400)).toBe(
      true,
    )
    const successors = responses
      .filter((response) => response.statusCode === 200)
      .map((response) => response.json<Tokens>())
    expect(successors.length).toBeLessThanOrEqual(1)
    let live = 0
    for (const successor of successors)
      if ((await refresh(app, successor.refresh_token)).statusCode === 200) live += 1
    expect(live).toBeLessThanOrEqual(1)
  })

  it('within the grace window returns the identical successor pair to a retry, never a second branch', async () => {
    const { app, clock } = await start({ GATEHOUSE_REFRESH_REUSE_GRACE: '10' })
    const first = await login(app, 'rotor')
    const responses = await Promise.all(Array.from({ length: 20 }, () => refresh(app, first.refresh_token)))
    expect(responses.map((response) => response.statusCode)).toEqual(Array(20).fill(200))
    const pairs = responses.map((response) => response.json<Tokens>())
    expect(new Set(pairs.map((pair) => pair.refresh_token)).size).toBe(1)
    expect(new Set(pairs.map((pair) => pair.access_token)).size).toBe(1)
    clock.advanceSeconds(5)
    expect((await refresh(app, first.refresh_token)).json<Tokens>().refresh_token).toBe(
      defined(pairs[0]).refresh_token,
    )
    expect(await app.services.db.selectFrom('refresh_tokens').select('id').execute()).toHaveLength(2)
  })

  it('treats a retry after the grace window as reuse', async () => {
    const { app, clock } = await start({ GATEHOUSE_REFRESH_REUSE_GRACE: '10' })
    const first = await login(app, 'rotor')
    const second = (await refresh(app, first.refresh_token)).json<Tokens>()
    clock.advanceSeconds(11)
    expect((await refresh(app, first.refresh_token)).statusCode).toBe(400)
    expect((await refresh(app, second.refresh_token)).statusCode).toBe(400)
  })

  it('treats an ancestor replay as reuse even inside the grace window', async () => {
    const { app } = await start({ GATEHOUSE_REFRESH_REUSE_GRACE: '10' })
    const first = await login(app, 'rotor')
    const second = (await refresh(app, first.refresh_token)).json<Tokens>()
    const third = (await refresh(app, second.refresh_token)).json<Tokens>()
    expect((await refresh(app, first.refresh_token)).statusCode).toBe(400)
    expect((await refresh(app, third.refresh_token)).statusCode).toBe(400)
  })

  it('enforces the idle lifetime', async () => {
    const { app, clock } = await start({
      GATEHOUSE_REFRESH_TOKEN_IDLE_TTL: '120',
      GATEHOUSE_REFRESH_TOKEN_ABSOLUTE_TTL: '600',
    })
    const first = await login(app, 'rotor')
    clock.advanceSeconds(100)
    const second = (await refresh(app, first.refresh_token)).json<Tokens>()
    clock.advanceSeconds(121)
    expect((await refresh(app, second.refresh_token)).statusCode).toBe(400)
  })

  it('enforces the absolute lifetime, which rotation never extends', async () => {
    const { app, clock } = await start({
      GATEHOUSE_REFRESH_TOKEN_IDLE_TTL: '120',
      GATEHOUSE_REFRESH_TOKEN_ABSOLUTE_TTL: '300',
    })
    let tokens = await login(app, 'rotor')
    for (let step = 0; step < 3; step += 1) {
      clock.advanceSeconds(90)
      const response = await refresh(app, tokens.refresh_token)
      expect(response.statusCode).toBe(200)
      tokens = response.json<Tokens>()
    }
    clock.advanceSeconds(31)
    expect((await refresh(app, tokens.refresh_token)).statusCode).toBe(400)
    expect(await profileStatus(app, tokens.access_token)).toBe(401)
  })

  it('carries a changed role into the next refreshed token', async () => {
    const { app } = await start()
    const first = await login(app, 'rotor')
    await app.services.db.updateTable('users').set({ role: 'admin' }).execute()
    const second = (await refresh(app, first.refresh_token)).json<Tokens>()
    const { payload } = decodeToken(second.access_token)
    expect(payload.role).toBe('admin')
  })
})
