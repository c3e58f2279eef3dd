import { describe, expect, it } from 'vitest'
import { attemptLogin, login, postForm, refresh, registerUser } from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { defined } from '../helpers/defined.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { PASSWORD } from '../helpers/users.ts'

describe.each(DIALECTS)('the audit trail of a user’s requests on %s', (dialect) => {
  const testApp = useTestApp(
    () => createTestApp({ dialect, env: { GATEHOUSE_LOGIN_MAX_FAILURES: '2' } }),
    'test',
  )
  const events = async () =>
    (
      await testApp.app.services.db
        .selectFrom('audit_events')
        .selectAll()
        .orderBy('at')
        .orderBy('id')
        .execute()
    ).map((row) => ({ ...row, details: JSON.parse(row.details ?? '{}') as Record<string, unknown> }))

  it('records each step with the request’s id, address and user agent, and never a secret', async () => {
    const { app } = testApp
    const { id: userId } = await registerUser(app, 'trail')
    const tokens = await login(app, 'trail')
    const next = (await refresh(app, tokens.refresh_token)).json<{
      access_token: string
      refresh_token: string
    }>()
    await postForm(app, '/revoke', new URLSearchParams({ token: next.refresh_token }).toString(), {
      'user-agent': 'revoker/1.0',
    })
    const trail = (await events()).filter((event) => event.action !== 'key.rotate')
    expect(trail.map((event) => event.action)).toEqual([
      'user.register',
      'login.success',
      'token.refresh',
      'session.revoke',
    ])
    for (const event of trail) {
      expect(event.target_user_id).toBe(userId)
      expect(event.ip).toBe('127.0.0.1')
      expect(event.request_id).toMatch(/\S/)
    }
    expect(defined(trail.at(-1)).user_agent).toBe('revoker/1.0')
    const text = JSON.stringify(trail)
    for (const secret of [PASSWORD, tokens.refresh_token, tokens.access_token, next.refresh_token]) {
      expect(text).not.toContain(secret)
    }
  })

  it('records failed logins with a reason, and the throttled attempt after them', async () => {
    const { app } = testApp
    const { id: userId } = await registerUser(app, 'target')
    const attempt = (username: string, password: string) => attemptLogin(app, username, password)
    expect((await attempt('nobody', 'whatever-password')).statusCode).toBe(401)
    expect((await attempt('target', 'wrong-password-1')).statusCode).toBe(401)
    expect((await attempt('target', 'wrong-password-2')).statusCode).toBe(401)
    expect((await attempt('target', PASSWORD)).statusCode).toBe(429)
    const trail = (await events()).filter((event) => event.action.startsWith('login.'))
    expect(trail.map((event) => [event.action, event.details.reason ?? event.details.scope])).toEqual([
      ['login.failure', 'unknown_user'],
      ['login.failure', 'wrong_password'],
      ['login.failure', 'wrong_password'],
      ['login.throttled', 'account'],
    ])
    expect(defined(trail[1]).target_user_id).toBe(userId)
    expect(JSON.stringify(trail)).not.toContain('wrong-password')
  })
})
