import type { FastifyInstance } from 'fastify'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { userWithToken } from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'
import { ManualClock } from '../helpers/clock.ts'
import { TEST_SECRET } from '../helpers/config.ts'
import { removeDirectory, temporaryDirectory } from '../helpers/files.ts'
import { enrollTotp, loginWithTotp } from '../helpers/mfa.ts'

const folder = temporaryDirectory('mfa-secret')
const NEW_SECRET = 'a-brand-new-secret-that-is-long-enough-42'

/** The one TOTP secret as stored, sealed under the app's secret. */
async function sealedTotpSecret(app: FastifyInstance): Promise<string> {
  const factor = await app.services.db
    .selectFrom('totp_factors')
    .select('secret_sealed')
    .executeTakeFirstOrThrow()
  return factor.secret_sealed
}

describe('TOTP secrets and a GATEHOUSE_SECRET rotation', () => {
  afterAll(() => removeDirectory(folder))

  it('re-seals TOTP secrets under the new secret at start, so the previous one can then be dropped', async () => {
    const database = `sqlite:${join(folder, 'gatehouse.db')}`
    const clock = new ManualClock()
    const first = await createTestApp({ clock, env: { GATEHOUSE_DATABASE_URL: database } })
    const ada = await userWithToken(first.app, 'ada')
    const { key } = await enrollTotp(first.app, ada.token, clock)
    const sealedBefore = await sealedTotpSecret(first.app)
    await first.close()

    const rotating = await createTestApp({
      clock,
      env: {
        GATEHOUSE_DATABASE_URL: database,
        GATEHOUSE_SECRET: NEW_SECRET,
        GATEHOUSE_SECRET_PREVIOUS: TEST_SECRET,
      },
    })
    const sealedAfter = await sealedTotpSecret(rotating.app)
    expect(sealedAfter).not.toBe(sealedBefore)
    await rotating.close()

    const rotated = await createTestApp({
      clock,
      env: { GATEHOUSE_DATABASE_URL: database, GATEHOUSE_SECRET: NEW_SECRET },
    })
    try {
      const tokens = await loginWithTotp(rotated.app, 'ada', key, clock)
      expect(tokens.access_token).toBeDefined()
    } finally {
      await rotated.close()
    }
  })
})
