import { describe, expect, it } from 'vitest'
import { loginToken, PUBLIC_USER_FIELDS, registerUser } from '../helpers/api.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { defined } from '../helpers/defined.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { findUserRow, snapshotStore, userIdsWhere } from '../helpers/rows.ts'
import { PASSWORD } from '../helpers/users.ts'
import { createCoreApp } from './app.ts'

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe.each(DIALECTS)('POST /register on %s', (dialect) => {
  const testApp = useTestApp(() => createCoreApp({ dialect }))

  const register = (payload: unknown) =>
    testApp.app.inject({ method: 'POST', url: '/register', payload: payload as object })

  it('answers 201 with exactly id, username, role, created_at and the (empty) email fields, and never the password or its hash', async () => {
    const response = await register({ username: 'Register-Alice', password: PASSWORD })
    expect(response.statusCode).toBe(201)
    const body = response.json<Record<string, string>>()
    expect(Object.keys(body).sort()).toEqual(PUBLIC_USER_FIELDS)
    expect(body).toMatchObject({ email: null, email_verified: false })
    expect(body.id).toMatch(UUID_V7)
    // The display form keeps its case; only the uniqueness key is folded.
    expect(body).toMatchObject({ username: 'Register-Alice', role: 'user' })
    expect(body.created_at).toBe(new Date(testApp.clock.now()).toISOString())
    expect(response.body).not.toContain(PASSWORD)
    expect(response.body).not.toContain('$argon2')

    const row = await findUserRow(testApp.app, defined(body.id))
    expect(row.password_hash).toMatch(/^\$argon2id\$/)
    expect(row.username_canonical).toBe('register-alice')
  })

  it.each([
    ['upper case', 'REGISTER-ALICE'],
    ['mixed case', 'register-ALICE'],
    ['full-width letters (NFKC)', 'Ｒｅｇｉｓｔｅｒ-Ａｌｉｃｅ'],
  ])('refuses a taken name in %s with 409 and stores nothing', async (_label, username) => {
    const before = await snapshotStore(testApp.app)
    const response = await register({ username, password: PASSWORD })
    expect(response.statusCode).toBe(409)
    expect(response.json()).toEqual({ detail: 'Username is already taken', code: 'username_taken' })
    expect(await snapshotStore(testApp.app)).toEqual(before)
  })

  it.each([
    ['role', { username: 'mass-assign-1', password: PASSWORD, role: 'admin' }],
    ['id', { username: 'mass-assign-2', password: PASSWORD, id: '00000000-0000-7000-8000-000000000000' }],
    ['password_hash', { username: 'mass-assign-3', password: PASSWORD, password_hash: 'x' }],
  ])('refuses an extra %s field with 422 extra_forbidden and stores nothing', async (field, payload) => {
    const before = await snapshotStore(testApp.app)
    const response = await register(payload)
    expect(response.statusCode).toBe(422)
    expect(response.json()).toEqual({
      detail: [{ loc: ['body', field], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' }],
      code: 'validation_failed',
    })
    expect(await snapshotStore(testApp.app)).toEqual(before)
  })

  it.each([
    ['seven characters', 'weak-user-1', 'Zq9!xv7'],
    ['on the common-password list', 'weak-user-2', 'password123'],
    ['on the common-password list in another case', 'weak-user-3', 'Iloveyou1'],
    ['the username', 'weak-user-4', 'weak-user-4'],
    ['the username in another case', 'weak-user-5', 'WEAK-USER-5'],
    ['over 1024 bytes', 'weak-user-6', 'ü'.repeat(513)],
  ])('refuses a password that is %s with 422 weak_password', async (_label, username, password) => {
    const before = await snapshotStore(testApp.app)
    const response = await register({ username, password })
    expect(response.statusCode).toBe(422)
    expect(response.json()).toMatchObject({ code: 'weak_password' })
    expect(await snapshotStore(testApp.app)).toEqual(before)
  })

  it('accepts 8-character and 64-character passwords (ASVS 6.2.1, 6.2.9)', async () => {
    expect((await register({ username: 'length-8', password: 'Zq9!xv7k' })).statusCode).toBe(201)
    const sixtyFour = 'Long passphrases must fit: '.padEnd(64, 'x')
    expect((await register({ username: 'length-64', password: sixtyFour })).statusCode).toBe(201)
    expect(await loginToken(testApp.app, 'length-64', sixtyFour)).toBeTruthy()
  })

  it('normalizes a new password with NFKC, so the same password typed another way still logs in', async () => {
    await registerUser(testApp.app, 'nfkc-password', 'ｆｕｌｌｗｉｄｔｈ ｐａｓｓ 42')
    expect(await loginToken(testApp.app, 'nfkc-password', 'fullwidth pass 42')).toBeTruthy()
  })

  it.each([
    ['a space', 'has space'],
    ['a slash', 'has/slash'],
    ['65 characters', 'u'.repeat(65)],
    ['an empty name', ''],
  ])('refuses a username with %s with 422', async (_label, username) => {
    const response = await register({ username, password: PASSWORD })
    expect(response.statusCode).toBe(422)
    expect(response.json<{ code: string }>().code).toMatch(/^(invalid_username|validation_failed)$/)
  })

  it('lets exactly one of many parallel registrations of one name succeed', async () => {
    const spellings = ['race', 'RACE', 'Race', 'ｒａｃｅ', 'rAcE', 'racE']
    const responses = await Promise.all(
      spellings.map((username) => register({ username, password: PASSWORD })),
    )
    const statuses = responses.map((response) => response.statusCode).sort()
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409])
    const rows = await userIdsWhere(testApp.app, 'username_canonical', 'race')
    expect(rows).toHaveLength(1)
  })
})
