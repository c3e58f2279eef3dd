import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { ConfigError } from '../../src/config.ts'
import {
  callWithToken,
  login,
  logout,
  refresh,
  registerUser,
  type Tokens,
  attemptLogin,
} from '../helpers/api.ts'
import { createAdminApp } from '../helpers/admin.ts'
import { closedAfterEach } from '../helpers/hooks.ts'
import { sampleValue, scrape } from '../helpers/metrics.ts'
import { enrollTotp, loginExpectingMfa } from '../helpers/mfa.ts'
import { freePort } from '../helpers/ports.ts'
import { redisEnv, skipWithout } from '../helpers/services.ts'
import { TEST_SECRET } from '../helpers/config.ts'

const TOKEN = 'metrics-token-0123456789abcdef'

describe('GET /metrics', () => {
  const fresh = closedAfterEach()

  it('is off unless configured: 404 on the main port', async () => {
    const { app } = await fresh.app()
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404)
  })

  it('needs the bearer token on the main port', async () => {
    const server = await fresh.server({ env: { GATEHOUSE_METRICS_TOKEN: TOKEN } })
    const url = `${server.baseUrl}/metrics`
    const missing = await fetch(url)
    expect(missing.status).toBe(401)
    expect(missing.headers.get('www-authenticate')).toBe('Bearer')
    expect(
      (await fetch(url, { headers: { authorization: 'Bearer wrong-token-of-some-length' } })).status,
    ).toBe(401)
    const text = await scrape(url, TOKEN)
    // Node's default process metrics are there too.
    expect(sampleValue(text, 'process_resident_memory_bytes')).toBeGreaterThan(0)
    expect(sampleValue(text, 'nodejs_eventloop_lag_seconds')).toBeDefined()
  })

  it('moves a counter for each event it reports', async () => {
    const testApp = await createAdminApp('sqlite', {
      GATEHOUSE_METRICS_TOKEN: TOKEN,
      GATEHOUSE_LOGIN_MAX_FAILURES: '3',
    })
    const { app, clock, rootToken } = testApp
    try {
      await app.listen({ host: '127.0.0.1', port: 0 })
      const address = app.server.address()
      const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
      const read = async () => scrape(`${baseUrl}/metrics`, TOKEN)
      const before = await read()
      const logins = (text: string, outcome: string) =>
        sampleValue(text, 'gatehouse_logins_total', { outcome })
      expect(logins(before, 'throttled')).toBe(0)

      await registerUser(app, 'alice')
      const pair = await login(app, 'alice')
      expect((await attemptLogin(app, 'alice', 'wrong password here')).statusCode).toBe(401)
      // Three failures for one account, then the next attempt is refused with 429.
      for (let attempt = 0; attempt < 3; attempt += 1) await attemptLogin(app, 'bob', 'wrong password here')
      expect((await attemptLogin(app, 'bob', 'wrong password here')).statusCode).toBe(429)

      // Disabled by an admin: the role change and the disabling are security events too.
      const carol = await registerUser(app, 'carol')
      await callWithToken(app, rootToken, 'PATCH', `/admin/users/${carol.id}`, { role: 'admin' })
      await callWithToken(app, rootToken, 'PATCH', `/admin/users/${carol.id}`, { disabled: true })
      expect((await attemptLogin(app, 'carol', 'correct horse battery staple')).statusCode).toBe(401)

      // Refresh, then reuse of the rotated token (the session is revoked), then a logout.
      const rotated = await refresh(app, pair.refresh_token)
      expect(rotated.statusCode).toBe(200)
      expect((await refresh(app, pair.refresh_token)).statusCode).toBe(400)
      const second: Tokens = await login(app, 'alice')
      expect((await callWithToken(app, second.access_token, 'GET', '/profile')).statusCode).toBe(200)
      expect((await callWithToken(app, 'not-a-token', 'GET', '/profile')).statusCode).toBe(401)
      expect((await logout(app, second.access_token)).statusCode).toBe(204)
      expect((await callWithToken(app, second.access_token, 'GET', '/profile')).statusCode).toBe(401)

      expect((await callWithToken(app, rootToken, 'POST', '/admin/keys/rotate')).statusCode).toBe(200)
      clock.advanceSeconds(3600)

      const after = await read()
      const delta = (name: string, labels: Record<string, string> = {}) =>
        (sampleValue(after, name, labels) ?? 0) - (sampleValue(before, name, labels) ?? 0)
      expect(delta('gatehouse_logins_total', { outcome: 'success' })).toBe(2)
      expect(delta('gatehouse_logins_total', { outcome: 'invalid_credentials' })).toBe(4)
      expect(delta('gatehouse_logins_total', { outcome: 'throttled' })).toBe(1)
      expect(delta('gatehouse_logins_total', { outcome: 'disabled' })).toBe(1)
      expect(delta('gatehouse_token_refreshes_total')).toBe(1)
      expect(delta('gatehouse_refresh_reuse_detected_total')).toBe(1)
      expect(delta('gatehouse_session_revocations_total', { via: 'reuse' })).toBe(1)
      expect(delta('gatehouse_session_revocations_total', { via: 'logout' })).toBe(1)
      expect(delta('gatehouse_key_rotations_total', { trigger: 'manual' })).toBe(1)
      expect(delta('gatehouse_security_events_total', { event: 'auth.login.failed' })).toBe(5)
      expect(delta('gatehouse_security_events_total', { event: 'auth.login.throttled' })).toBe(1)
      expect(delta('gatehouse_security_events_total', { event: 'auth.refresh.reuse_detected' })).toBe(1)
      expect(delta('gatehouse_security_events_total', { event: 'admin.user.role_changed' })).toBe(1)
      expect(delta('gatehouse_security_events_total', { event: 'keys.rotated' })).toBe(1)
      expect(delta('gatehouse_token_verifications_total', { result: 'valid' })).toBeGreaterThanOrEqual(2)
      expect(delta('gatehouse_token_verifications_total', { result: 'malformed' })).toBe(1)
      expect(delta('gatehouse_token_verifications_total', { result: 'session_ended' })).toBe(1)
      expect(delta('gatehouse_password_hash_duration_seconds_count')).toBeGreaterThanOrEqual(8)
      expect(delta('gatehouse_password_hash_wait_seconds_count')).toBeGreaterThanOrEqual(8)
      expect(sampleValue(after, 'gatehouse_password_hash_queue_depth')).toBe(0)
      expect(
        delta('gatehouse_http_requests_total', { route: '/login', method: 'POST', status_class: '4xx' }),
      ).toBe(6)
      expect(
        delta('gatehouse_http_requests_total', { route: '/token', method: 'POST', status_class: '2xx' }),
      ).toBe(1)
      expect(
        sampleValue(after, 'gatehouse_http_request_duration_seconds_count', {
          route: '/profile',
          method: 'GET',
          status_class: '2xx',
        }),
      ).toBeGreaterThanOrEqual(1)
      // The rotated key signs now: its age follows the clock.
      expect(sampleValue(after, 'gatehouse_signing_key_age_seconds')).toBeGreaterThanOrEqual(3600)
      // root's session and alice's rotated session are live; the reused one and the logged-out one are not.
      expect(sampleValue(after, 'gatehouse_active_sessions')).toBeGreaterThanOrEqual(1)
      // Usernames never become labels.
      expect(after).not.toMatch(/alice|bob|carol|root/)
      // No Redis and no PostgreSQL pool here: those series are left out rather than reported as 0.
      expect(sampleValue(after, 'gatehouse_redis_up')).toBeUndefined()
    } finally {
      await testApp.close()
    }
  })

  it('serves /metrics without a token on the loopback listener of GATEHOUSE_METRICS_BIND only', async () => {
    const port = await freePort()
    const server = await fresh.server({ env: { GATEHOUSE_METRICS_BIND: `127.0.0.1:${port}` } })
    expect((await fetch(`${server.baseUrl}/metrics`)).status).toBe(404)
    const text = await scrape(`http://127.0.0.1:${port}/metrics`)
    expect(sampleValue(text, 'gatehouse_logins_total', { outcome: 'success' })).toBe(0)
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404)
  })

  it('refuses a non-loopback bind address and a short token at start', () => {
    const load = (env: Record<string, string>) => () => loadConfig({ GATEHOUSE_SECRET: TEST_SECRET, ...env })
    expect(load({ GATEHOUSE_METRICS_BIND: '0.0.0.0:9464' })).toThrow(ConfigError)
    expect(load({ GATEHOUSE_METRICS_BIND: '192.168.1.2:9464' })).toThrow(/loopback/)
    expect(load({ GATEHOUSE_METRICS_TOKEN: 'short' })).toThrow(/GATEHOUSE_METRICS_TOKEN/)
    expect(
      loadConfig({ GATEHOUSE_SECRET: TEST_SECRET, GATEHOUSE_METRICS_BIND: '[::1]:9464' }).metrics.bind,
    ).toEqual({
      host: '::1',
      port: 9464,
    })
  })
})

describe('logins that stop at the second factor', () => {
  const fresh = closedAfterEach()

  it('count as mfa_required', async () => {
    const server = await fresh.server({ env: { GATEHOUSE_METRICS_TOKEN: TOKEN } })
    const { app, clock } = server
    await registerUser(app, 'mfa-user')
    const { access_token } = await login(app, 'mfa-user')
    await enrollTotp(app, access_token, clock)
    const before = await scrape(`${server.baseUrl}/metrics`, TOKEN)
    await loginExpectingMfa(app, 'mfa-user')
    const after = await scrape(`${server.baseUrl}/metrics`, TOKEN)
    const count = (text: string) =>
      sampleValue(text, 'gatehouse_logins_total', { outcome: 'mfa_required' }) ?? 0
    expect(count(after) - count(before)).toBe(1)
  })
})

describe('metrics of PostgreSQL and Redis', () => {
  const fresh = closedAfterEach()
  const skipPostgres = skipWithout(['postgres'], 'PostgreSQL pool metrics')
  const skipRedis = skipWithout(['redis'], 'Redis state in metrics and /readyz')

  it.skipIf(skipPostgres)('reports the PostgreSQL pool', async () => {
    const server = await fresh.server({ dialect: 'postgres', env: { GATEHOUSE_METRICS_TOKEN: TOKEN } })
    const text = await scrape(`${server.baseUrl}/metrics`, TOKEN)
    // The test helpers connect through connectDatabase, as the server does, so the pool is there.
    expect(server.database.handle.pool).toBeDefined()
    expect(sampleValue(text, 'gatehouse_database_pool_connections')).toBeGreaterThanOrEqual(1)
    // The scrape's own sampled queries (sessions, outbox) run at once and may wait for a second connection
    // while the gauge is read, so the reading is 0 or 1 here, never missing.
    expect(sampleValue(text, 'gatehouse_database_pool_waiting')).toBeGreaterThanOrEqual(0)
    expect(sampleValue(text, 'gatehouse_database_pool_waiting')).toBeLessThanOrEqual(1)
    expect(sampleValue(text, 'gatehouse_active_sessions')).toBe(0)
  })

  it.skipIf(skipRedis)('reports Redis up in /metrics and /readyz', async () => {
    const server = await fresh.server({ env: { ...redisEnv(), GATEHOUSE_METRICS_TOKEN: TOKEN } })
    const text = await scrape(`${server.baseUrl}/metrics`, TOKEN)
    expect(sampleValue(text, 'gatehouse_redis_up')).toBe(1)
    const ready = await server.app.inject({ method: 'GET', url: '/readyz' })
    expect(ready.json()).toMatchObject({ status: 'ready', components: { redis: { status: 'up' } } })
  })
})
