import { describe, expect, it } from 'vitest'
import { createAdminApp, secondAdmin } from '../helpers/admin.ts'
import { callWithToken, loginToken, profileStatus } from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { ADMIN, ADMIN_ENV } from '../helpers/users.ts'

describe.each(DIALECTS)('the last enabled admin on %s', (dialect) => {
  const testApp = useTestApp(() => createAdminApp(dialect), 'test')

  const enabledAdmins = async () =>
    (
      await testApp.app.services.db
        .selectFrom('users')
        .select('id')
        .where('role', '=', 'admin')
        .where('disabled_at', 'is', null)
        .execute()
    ).map((row) => row.id)

  it('cannot demote, disable or delete themself: 409 last_admin, and nothing changes', async () => {
    const { app, rootToken, rootId } = testApp
    const url = `/admin/users/${rootId}`
    for (const [method, body] of [
      ['PATCH', { role: 'user' }],
      ['PATCH', { disabled: true }],
      ['PATCH', { role: 'user', username: 'renamed' }],
      ['DELETE', undefined],
    ] as const) {
      const response = await callWithToken(app, rootToken, method, url, body)
      expect(response.statusCode, `${method} ${JSON.stringify(body)}`).toBe(409)
      expect(response.json()).toMatchObject({ code: 'last_admin' })
    }
    expect(await enabledAdmins()).toEqual([rootId])
    expect(await profileStatus(app, rootToken)).toBe(200)
    // Changes that keep them admin still work.
    expect(
      (await callWithToken(app, rootToken, 'PATCH', url, { role: 'admin', username: 'Root' })).statusCode,
    ).toBe(200)
  })

  it('can be demoted once another enabled admin exists, and a disabled admin does not count', async () => {
    const { app, rootToken, rootId } = testApp
    const other = await secondAdmin(testApp, 'second')
    expect(
      (await callWithToken(app, rootToken, 'PATCH', `/admin/users/${other.id}`, { disabled: true }))
        .statusCode,
    ).toBe(200)
    expect(
      (await callWithToken(app, rootToken, 'PATCH', `/admin/users/${rootId}`, { role: 'user' })).statusCode,
    ).toBe(409)
    await callWithToken(app, rootToken, 'PATCH', `/admin/users/${other.id}`, { disabled: false })
    const demoted = await callWithToken(app, rootToken, 'PATCH', `/admin/users/${rootId}`, { role: 'user' })
    expect(demoted.statusCode).toBe(200)
    // The demotion bites on root's very next request: the role is read from the database.
    expect((await callWithToken(app, rootToken, 'GET', '/admin/users')).statusCode).toBe(403)
    expect(await enabledAdmins()).toEqual([other.id])
  })

  it('two admins demoting each other at once leave at least one admin', async () => {
    const { app, rootToken, rootId } = testApp
    for (let round = 0; round < 5; round += 1) {
      const other = await secondAdmin(testApp, `second${round}`)
      const [first, second] = await Promise.all([
        callWithToken(app, rootToken, 'PATCH', `/admin/users/${other.id}`, { role: 'user' }),
        callWithToken(app, other.token, 'PATCH', `/admin/users/${rootId}`, { role: 'user' }),
      ])
      const statuses = [first.statusCode, second.statusCode].sort()
      // Exactly one wins; the loser gets 409 (it saw one admin left) or 403 (its own rights went first).
      expect(
        statuses.filter((status) => status === 200),
        JSON.stringify(statuses),
      ).toHaveLength(1)
      expect([403, 409]).toContain(statuses[1])
      const admins = await enabledAdmins()
      expect(admins).toHaveLength(1)
      // Restore root as the only admin for the next round.
      if (admins[0] !== rootId) {
        await app.services.db.updateTable('users').set({ role: 'admin' }).where('id', '=', rootId).execute()
        await app.services.db.updateTable('users').set({ role: 'user' }).where('id', '=', other.id).execute()
      }
    }
  })

  it('concurrent delete and disable of two admins by each other leave one admin', async () => {
    const { app, rootToken, rootId } = testApp
    const other = await secondAdmin(testApp, 'second')
    await Promise.all([
      callWithToken(app, rootToken, 'DELETE', `/admin/users/${other.id}`),
      callWithToken(app, other.token, 'PATCH', `/admin/users/${rootId}`, { disabled: true }),
    ])
    expect(await enabledAdmins()).toHaveLength(1)
  })
})

describe.each(DIALECTS)('the last admin deleting their own account on %s', (dialect) => {
  it('is refused with 409 last_admin through DELETE /profile, and allowed once another admin exists', async () => {
    const testApp = await createTestApp({ dialect, env: ADMIN_ENV })
    try {
      const { app } = testApp
      const token = await loginToken(app, ADMIN.username, ADMIN.password)
      const deleteSelf = () => callWithToken(app, token, 'DELETE', '/profile', { password: ADMIN.password })
      const refused = await deleteSelf()
      expect(refused.statusCode).toBe(409)
      expect(refused.json()).toMatchObject({ code: 'last_admin' })
      const created = await callWithToken(app, token, 'POST', '/admin/users', {
        username: 'second-admin',
        password: 'second-admin-password-2',
        role: 'admin',
      })
      expect(created.statusCode).toBe(201)
      expect((await deleteSelf()).statusCode).toBe(204)
    } finally {
      await testApp.close()
    }
  })
})
