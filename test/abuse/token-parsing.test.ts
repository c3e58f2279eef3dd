import { beforeAll, describe, expect, it } from 'vitest'
import { MAX_TOKEN_LENGTH } from '../../src/services/tokens/verify.ts'
import { getWithToken, loginToken, registerUser } from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'
import { LENIENT_LIMITS_ENV } from '../helpers/config.ts'
import { useTestApp } from '../helpers/hooks.ts'
import { decodeToken, encodeSegment, expectInvalidToken, signWithServerKey } from '../helpers/tokens.ts'

// test/core/tokens.test.ts covers padding, the standard alphabet, non-canonical encodings, whitespace,
// segment counts, crit, key-pointing headers and query-string tokens. These are the cases it leaves out.

describe('strict token parsing: the cases test/core leaves out', () => {
  const testApp = useTestApp(() => createTestApp({ env: LENIENT_LIMITS_ENV }))
  let token: string
  beforeAll(async () => {
    await registerUser(testApp.app, 'parsing-user')
    token = await loginToken(testApp.app, 'parsing-user')
  })
  const profile = (bearer: string) => getWithToken(testApp.app, '/profile', bearer)

  it.each([
    ['an array', [1, 2]],
    ['a string', 'claims'],
    ['a number', 42],
    ['null', null],
  ])('refuses a validly signed token whose payload is %s', async (_name, payload) => {
    const [header] = token.split('.') as [string]
    expectInvalidToken(await profile(signWithServerKey(testApp.app, header, encodeSegment(payload))))
  })

  it('refuses a validly signed token whose header is not an object', async () => {
    const [, payload] = token.split('.') as [string, string]
    expectInvalidToken(await profile(signWithServerKey(testApp.app, encodeSegment('EdDSA'), payload)))
  })

  it('refuses a validly signed token one character over the length cap, before any decoding', async () => {
    const { header, payload } = decodeToken(token)
    const filler = 'x'.repeat(MAX_TOKEN_LENGTH)
    const long = signWithServerKey(testApp.app, encodeSegment(header), encodeSegment({ ...payload, filler }))
    expect(long.length).toBeGreaterThan(MAX_TOKEN_LENGTH)
    expectInvalidToken(await profile(long))
    expect((await profile(token)).statusCode).toBe(200)
  })

  it('ignores a valid token in the query string when no Authorization header is sent', async () => {
    const response = await testApp.app.inject({ url: `/profile?access_token=${token}&token=${token}` })
    expect(response.statusCode).toBe(401)
    expect(response.headers['www-authenticate']).toBe('Bearer')
  })
})
