import { describe, expect, it } from 'vitest'
import { createAdminApp } from '../helpers/admin.ts'
import { callWithToken, registerUser } from '../helpers/api.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { defined } from '../helpers/defined.ts'
import { useTestApp } from '../helpers/hooks.ts'

interface Page {
  items: Array<{ id: string; username: string; role: string; disabled: boolean }>
  next_cursor: string | null
}

describe.each(DIALECTS)('GET /admin/users paging and filters on %s', (dialect) => {
  const testApp = useTestApp(() => createAdminApp(dialect), 'test')
  const page = async (query: string) => {
    const response = await callWithToken(testApp.app, testApp.rootToken, 'GET', `/admin/users?${query}`)
    expect(response.statusCode, query).toBe(200)
    return response.json<Page>()
  }

  it('pages stably while users register: no duplicates, no gaps, new users at the end', async () => {
    const { app, clock } = testApp
    for (const name of ['u1', 'u2', 'u3', 'u4', 'u5']) {
      await registerUser(app, name)
      clock.advance(1)
    }
    // Two users in the same millisecond: the id breaks the tie, so the order is still total.
    await registerUser(app, 'u6')
    await registerUser(app, 'u7')
    const seen: string[] = []
    let cursor: string | null = null
    let inserted = 0
    do {
      const current: Page = await page(`limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
      seen.push(...current.items.map((item) => item.username))
      cursor = current.next_cursor
      if (inserted < 2) {
        clock.advance(1)
        await registerUser(app, `late${inserted}`)
        inserted += 1
      }
    } while (cursor !== null)
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen.slice(0, 6)).toEqual(['root', 'u1', 'u2', 'u3', 'u4', 'u5'])
    expect(new Set(seen.slice(6, 8))).toEqual(new Set(['u6', 'u7']))
    expect(seen.slice(8)).toEqual(['late0', 'late1'])
  })

  it('filters by case-insensitive username prefix with LIKE wildcards taken literally', async () => {
    const { app, rootToken } = testApp
    for (const name of ['Alpha', 'alps', 'al_x', 'alyx', 'abc', 'Beta']) await registerUser(app, name)
    const names = async (query: string) => (await page(query)).items.map((item) => item.username).sort()
    expect(await names('q=AL')).toEqual(['Alpha', 'al_x', 'alps', 'alyx'])
    expect(await names('q=al_')).toEqual(['al_x'])
    // Unescaped, '%' would match every name.
    expect(await names('q=%25')).toEqual([])
    expect(await names('q=zzz')).toEqual([])
    const beta = defined((await page('q=beta')).items[0])
    await callWithToken(app, rootToken, 'PATCH', `/admin/users/${beta.id}`, { disabled: true })
    expect(await names('disabled=true')).toEqual(['Beta'])
    expect(await names('disabled=false&q=b')).toEqual([])
    expect(await names('role=admin')).toEqual(['root'])
  })

  it('refuses malformed query strings with 422', async () => {
    for (const query of [
      'limit=0',
      'limit=abc',
      'limit=201',
      'cursor=garbage',
      'disabled=yes',
      'sort=id',
      'limit=1&limit=2',
    ]) {
      const response = await callWithToken(testApp.app, testApp.rootToken, 'GET', `/admin/users?${query}`)
      expect(response.statusCode, query).toBe(422)
    }
  })
})
