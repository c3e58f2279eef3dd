import { describe, expect, it } from 'vitest'
import { createTestApp } from '../helpers/app.ts'
import { defined } from '../helpers/defined.ts'
import { useTestApp } from '../helpers/hooks.ts'

interface Operation {
  security?: unknown
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> }
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>
}

// Every second-factor endpoint is in /docs with its body and answer schemas (issue 12).
const ENDPOINTS: Array<[method: string, path: string, bearer: boolean, success: string]> = [
  ['post', '/login/mfa', false, '200'],
  ['post', '/login/mfa/enroll/totp', false, '200'],
  ['post', '/login/mfa/enroll/totp/confirm', false, '200'],
  ['get', '/mfa', true, '200'],
  ['post', '/mfa/totp', true, '200'],
  ['post', '/mfa/totp/confirm', true, '200'],
  ['delete', '/mfa/totp', true, '200'],
  ['post', '/mfa/recovery-codes', true, '200'],
  ['post', '/webauthn/register/options', true, '200'],
  ['post', '/webauthn/register', true, '201'],
  ['get', '/webauthn/credentials', true, '200'],
  ['delete', '/webauthn/credentials/{id}', true, '204'],
  ['post', '/webauthn/login/options', false, '200'],
  ['post', '/webauthn/login', false, '200'],
  ['delete', '/admin/users/{id}/mfa', true, '200'],
]

describe('the second-factor endpoints in /docs', () => {
  const testApp = useTestApp(() => createTestApp())

  it.each(ENDPOINTS)('documents %s %s', async (method, path, bearer, success) => {
    const document = (await testApp.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, Operation>>
    }>()
    const operation = defined(document.paths[path]?.[method], `${method} ${path}`)
    if (bearer) expect(operation.security).toEqual([{ OAuth2PasswordBearer: [] }])
    else expect(operation.security).toBeUndefined()
    if (method === 'post') expect(operation.requestBody?.content['application/json']?.schema).toBeDefined()
    expect(Object.keys(operation.responses)).toContain(success)
    if (success !== '204')
      expect(operation.responses[success]?.content?.['application/json']?.schema).toBeDefined()
  })

  it('documents the 403 mfa_required answer of /login with its mfa_token and methods', async () => {
    const document = (await testApp.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, Operation>>
    }>()
    const login = defined(document.paths['/login']?.post)
    const schema = defined(login.responses['403']?.content?.['application/json']?.schema)
    expect(Object.keys(schema.properties as object)).toEqual(
      expect.arrayContaining(['detail', 'code', 'mfa_token', 'methods']),
    )
  })
})
