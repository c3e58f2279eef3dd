import { decodeProtectedHeader } from 'jose'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { rotateNow } from '../../src/services/keys/rotation.ts'
import { login, profileStatus, registerUser } from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'
import { removeDirectory, temporaryDirectory } from '../helpers/files.ts'

describe('ES256 by default, and moving an EdDSA instance to it', () => {
  const folder = temporaryDirectory('es256')
  afterEach(() => removeDirectory(folder))

  it('signs with ES256 when GATEHOUSE_JWT_ALG is not set', async () => {
    const testApp = await createTestApp()
    try {
      await registerUser(testApp.app, 'default')
      const token = (await login(testApp.app, 'default')).access_token
      expect(decodeProtectedHeader(token).alg).toBe('ES256')
    } finally {
      await testApp.close()
    }
  })

  it('keeps EdDSA tokens verifying after a restart with ES256, and through a rotation', async () => {
    const url = `sqlite:${join(folder, 'g.db')}`
    const before = await createTestApp({ env: { GATEHOUSE_DATABASE_URL: url, GATEHOUSE_JWT_ALG: 'EdDSA' } })
    await registerUser(before.app, 'mover')
    const eddsaToken = (await login(before.app, 'mover')).access_token
    expect(decodeProtectedHeader(eddsaToken).alg).toBe('EdDSA')
    await before.close()

    // The same database, now configured for ES256 (or for the new default).
    const after = await createTestApp({ clock: before.clock, env: { GATEHOUSE_DATABASE_URL: url } })
    try {
      expect(await profileStatus(after.app, eddsaToken)).toBe(200)
      const es256Token = (await login(after.app, 'mover')).access_token
      expect(decodeProtectedHeader(es256Token).alg).toBe('ES256')
      const jwks = (await after.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<{
        keys: Array<{ alg: string }>
      }>()
      expect(jwks.keys.map((key) => key.alg).sort()).toEqual(['ES256', 'EdDSA'])

      // Maintenance retires the EdDSA key but keeps it published while its tokens live.
      await after.app.runKeyMaintenance()
      expect(await profileStatus(after.app, eddsaToken)).toBe(200)
      await rotateNow(after.app.keyRotation)
      expect(await profileStatus(after.app, eddsaToken)).toBe(200)
      expect(await profileStatus(after.app, es256Token)).toBe(200)
    } finally {
      await after.close()
    }
  })
})
