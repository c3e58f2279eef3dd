import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { TEST_SECRET } from '../helpers/config.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { createTestApp } from '../helpers/app.ts'

// The messages a newcomer met (issue 15) and what they say now.

describe('error messages', () => {
  const testApp = useTestApp(() => createTestApp())
  const post = (url: string, payload: string, contentType = 'application/json') =>
    testApp.app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType } })

  it('names a refused __proto__ or constructor key instead of calling valid JSON invalid', async () => {
    for (const [payload, key] of [
      ['{"username":"a","password":"b","__proto__":{"role":"admin"}}', '__proto__'],
      ['{"username":"a","nested":{"__proto__":{}}}', '__proto__'],
      ['{"username":"a","constructor":{"prototype":{"role":"admin"}}}', 'constructor'],
    ] as const) {
      const response = await post('/register', payload)
      expect(response.statusCode).toBe(400)
      expect(response.json()).toEqual({
        detail: `The key "${key}" is not allowed in a JSON body`,
        code: 'invalid_json',
      })
    }
    expect((await post('/register', '{"username":')).json()).toEqual({
      detail: 'Body is not valid JSON',
      code: 'invalid_json',
    })
    expect((await post('/register', '')).json()).toMatchObject({ code: 'invalid_json' })
  })

  it('says /login takes the password grant only when grant_type is another', async () => {
    const response = await post(
      '/login',
      'username=a&password=b&grant_type=client_credentials',
      'application/x-www-form-urlencoded',
    )
    expect(response.statusCode).toBe(422)
    expect(response.json()).toEqual({
      detail: [
        {
          loc: ['body', 'grant_type'],
          msg: 'Input should be "password": this endpoint takes the password grant only; other grants go to POST /token',
          type: 'const',
        },
      ],
      code: 'validation_failed',
    })
  })

  it('reports every invalid field, up to 20', async () => {
    const missing = await post('/register', '{}')
    expect(missing.json<{ detail: Array<{ loc: string[] }> }>().detail.map((issue) => issue.loc)).toEqual([
      ['body', 'username'],
      ['body', 'password'],
    ])
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, index) => [`extra${index}`, index]))
    const flood = await post('/register', JSON.stringify({ username: 1, password: 2, ...many }))
    expect(flood.statusCode).toBe(422)
    expect(flood.json<{ detail: unknown[] }>().detail).toHaveLength(20)
  })

  it('says a negative number in a setting is out of range, not that it is not a whole number', () => {
    expect(() => loadConfig({ GATEHOUSE_SECRET: TEST_SECRET, GATEHOUSE_ACCESS_TOKEN_TTL: '-5' })).toThrow(
      'GATEHOUSE_ACCESS_TOKEN_TTL: must be between 30 and 86400, got -5',
    )
  })
})
