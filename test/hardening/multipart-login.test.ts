import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerUser } from '../helpers/api.ts'
import { startTestServer, type TestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { sessionCount } from '../helpers/rows.ts'

const PASSWORD = 'multipart-password-42'
const BOUNDARY = '----gatehouse-test-boundary'

type Part = { name: string; value: string; filename?: string; type?: string }

/** A multipart/form-data body as a browser's FormData would send it. */
function multipartBody(parts: Part[]): string {
  const lines: string[] = []
  for (const part of parts) {
    lines.push(`--${BOUNDARY}`)
    const filename = part.filename === undefined ? '' : `; filename="${part.filename}"`
    lines.push(`Content-Disposition: form-data; name="${part.name}"${filename}`)
    if (part.type !== undefined) lines.push(`Content-Type: ${part.type}`)
    lines.push('', part.value)
  }
  lines.push(`--${BOUNDARY}--`, '')
  return lines.join('\r\n')
}

// Regression (issue 16, finding 8): FastAPI's OAuth2PasswordRequestForm accepts multipart/form-data as
// well as the urlencoded form, and /login answered 415 to a browser FormData.
describe.each(DIALECTS)('multipart/form-data on /login (%s)', (dialect) => {
  let testApp: TestApp & { baseUrl: string }
  beforeAll(async () => {
    testApp = await startTestServer({ dialect })
    await registerUser(testApp.app, 'formdata', PASSWORD)
  })
  afterAll(async () => {
    await testApp.close()
  })
  const post = (url: string, parts: Part[]) =>
    testApp.app.inject({
      method: 'POST',
      url,
      payload: multipartBody(parts),
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    })

  it('finding 8: logs in with the fields of a browser FormData, over real HTTP', async () => {
    const form = new FormData()
    form.set('grant_type', 'password')
    form.set('username', 'formdata')
    form.set('password', PASSWORD)
    const response = await fetch(`${testApp.baseUrl}/login`, { method: 'POST', body: form })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({
      token_type: 'bearer',
      access_token: expect.any(String) as string,
    })
  })

  it('finding 8: answers a wrong password with the same 401 as the other forms', async () => {
    const response = await post('/login', [
      { name: 'username', value: 'formdata' },
      { name: 'password', value: 'not-the-password' },
    ])
    expect(response.statusCode).toBe(401)
    expect(response.json()).toEqual({ detail: 'Incorrect username or password', code: 'invalid_credentials' })
  })

  it('finding 8: refuses a file part with a 4xx, and starts no session', async () => {
    const before = await sessionCount(testApp.app)
    for (const parts of [
      [
        { name: 'username', value: 'formdata' },
        { name: 'password', value: PASSWORD, filename: 'password.txt', type: 'text/plain' },
      ],
      [
        { name: 'username', value: 'formdata' },
        { name: 'password', value: PASSWORD },
        { name: 'avatar', value: 'x'.repeat(10_000), filename: 'a.png', type: 'image/png' },
      ],
    ]) {
      const response = await post('/login', parts)
      expect(response.statusCode).toBe(415)
      expect(response.json()).toMatchObject({ code: 'unsupported_media_type' })
    }
    expect(await sessionCount(testApp.app)).toBe(before)
  })

  it('finding 8: stays small and bounded: long values, many fields, repeats and unknown fields are refused', async () => {
    const username = { name: 'username', value: 'formdata' }
    const base = [username, { name: 'password', value: PASSWORD }]
    const tooLong = await post('/login', [username, { name: 'password', value: 'p'.repeat(20_000) }])
    expect(tooLong.statusCode).toBe(413)
    const tooMany = await post('/login', [
      ...base,
      ...Array.from({ length: 10 }, (_, index) => ({ name: `f${index}`, value: 'x' })),
    ])
    expect(tooMany.statusCode).toBe(413)
    const repeated = await post('/login', [...base, { name: 'username', value: 'formdata' }])
    expect(repeated.statusCode).toBe(422)
    const unknown = await post('/login', [...base, { name: 'role', value: 'admin' }])
    expect(unknown.statusCode).toBe(422)
    const malformed = await testApp.app.inject({
      method: 'POST',
      url: '/login',
      payload: 'not a multipart body',
      headers: { 'content-type': 'multipart/form-data' },
    })
    expect(malformed.statusCode).toBeGreaterThanOrEqual(400)
    expect(malformed.statusCode).toBeLessThan(500)
  })

  it('finding 8: keeps /token and /register to their own media types', async () => {
    const token = await post('/token', [
      { name: 'grant_type', value: 'password' },
      { name: 'username', value: 'formdata' },
      { name: 'password', value: PASSWORD },
    ])
    expect(token.statusCode).toBe(415)
    const register = await post('/register', [
      { name: 'username', value: 'another' },
      { name: 'password', value: PASSWORD },
    ])
    expect(register.statusCode).toBe(415)
  })
})
