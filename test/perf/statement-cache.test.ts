import SQLite from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { findSessionWithUser } from '../../src/db/sessions.ts'
import { cachingStatements } from '../../src/db/statement-cache.ts'
import { userWithToken } from '../helpers/api.ts'
import { closedAfterEach } from '../helpers/hooks.ts'
import { decodeToken, kidOf } from '../helpers/tokens.ts'

describe('the SQLite statement cache', () => {
  it('prepares each SQL text once, never hands out a busy statement, and stays bounded', () => {
    const database = new SQLite(':memory:')
    const cached = cachingStatements(database, 2)
    cached.prepare('create table t (n integer)').run([])
    cached.prepare('insert into t values (1), (2)').run([])
    const select = cached.prepare('select n from t')
    expect(cached.prepare('select n from t')).toBe(select)
    const iterator = select.iterate([])
    iterator.next()
    // Still iterating: the same SQL gets a statement of its own.
    expect(cached.prepare('select n from t')).not.toBe(select)
    expect(iterator.next().value).toEqual({ n: 2 })
    iterator.return?.()
    expect(cached.prepare('select n from t')).toBe(select)
    expect(select.all([])).toEqual([{ n: 1 }, { n: 2 }])
    cached.prepare('select 1')
    cached.prepare('select 2')
    // The oldest entries left to keep the bound of two.
    expect(cached.prepare('select n from t')).not.toBe(select)
    cached.close()
  })
})

describe('the precompiled per-request session query', () => {
  const fresh = closedAfterEach()

  it('answers for the session and kid it is given, not the ones it was compiled with', async () => {
    const testApp = await fresh.app({})
    const first = await userWithToken(testApp.app, 'first')
    const second = await userWithToken(testApp.app, 'second')
    const { db } = testApp.app.services
    const sid = (token: string) => String(decodeToken(token).payload.sid)
    const one = await findSessionWithUser(db, sid(first.token), kidOf(first.token))
    const two = await findSessionWithUser(db, sid(second.token), 'no-such-kid')
    expect(one).toMatchObject({ username: 'first', key_kid: kidOf(first.token) })
    expect(two).toMatchObject({ username: 'second', key_kid: null })
    expect(await findSessionWithUser(db, 'no-such-session', kidOf(first.token))).toBeUndefined()
  })
})
