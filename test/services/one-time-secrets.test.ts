import { beforeEach, describe, expect, it } from 'vitest'
import {
  consumeOneTimeCode,
  consumeOneTimeToken,
  issueOneTimeSecret,
  revokeOneTimeSecrets,
} from '../../src/services/one-time-secrets.ts'
import type { ServiceContext } from '../../src/services/context.ts'
import { registerUser } from '../helpers/api.ts'
import { createTestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { useTestApp } from '../helpers/hooks.ts'

describe.each(DIALECTS)('one-time secrets on %s', (dialect) => {
  const testApp = useTestApp(() => createTestApp({ dialect }), 'test')
  let context: ServiceContext
  let userId: string

  beforeEach(async () => {
    context = testApp.app.services
    userId = (await registerUser(testApp.app, 'owner')).id
  })

  const issue = (options: { withCode?: boolean; binding?: string; purpose?: string } = {}) =>
    issueOneTimeSecret(context.db, context, {
      userId,
      purpose: options.purpose ?? 'test.purpose',
      ttlSeconds: 600,
      ...options,
    })

  it('stores only hashes: neither the token nor the code is in the table', async () => {
    const secret = await issue({ withCode: true })
    const rows = await context.db.selectFrom('one_time_secrets').selectAll().execute()
    const stored = JSON.stringify(rows)
    expect(secret.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(secret.code).toMatch(/^\d{6}$/)
    expect(stored).not.toContain(secret.token)
    expect(stored).not.toContain(`"${secret.code}"`)
  })

  it('consumes a token once, for its purpose and binding only', async () => {
    const secret = await issue({ binding: 'a@example.com' })
    expect(await consumeOneTimeToken(context, { purpose: 'other', token: secret.token })).toBeUndefined()
    const used = await consumeOneTimeToken(context, {
      purpose: 'test.purpose',
      token: secret.token,
      binding: 'a@example.com',
    })
    expect(used?.user_id).toBe(userId)
    expect(
      await consumeOneTimeToken(context, { purpose: 'test.purpose', token: secret.token }),
    ).toBeUndefined()
    const bound = await issue({ binding: 'a@example.com' })
    expect(
      await consumeOneTimeToken(context, {
        purpose: 'test.purpose',
        token: bound.token,
        binding: 'b@example.com',
      }),
    ).toBeUndefined()
  })

  it('lets exactly one of ten parallel uses of a token succeed', async () => {
    const secret = await issue()
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        consumeOneTimeToken(context, { purpose: 'test.purpose', token: secret.token }),
      ),
    )
    expect(results.filter(Boolean)).toHaveLength(1)
  })

  it('expires with the clock', async () => {
    const secret = await issue()
    testApp.clock.advanceSeconds(601)
    expect(
      await consumeOneTimeToken(context, { purpose: 'test.purpose', token: secret.token }),
    ).toBeUndefined()
  })

  it('kills a code after five wrong tries, even for the right code', async () => {
    const secret = await issue({ withCode: true })
    const wrong = secret.code === '000000' ? '000001' : '000000'
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect(
        await consumeOneTimeCode(context, { userId, purpose: 'test.purpose', code: wrong }),
      ).toBeUndefined()
    }
    expect(
      await consumeOneTimeCode(context, { userId, purpose: 'test.purpose', code: secret.code ?? '' }),
    ).toBeUndefined()
    // The token of a dead secret is dead too.
    expect(
      await consumeOneTimeToken(context, { purpose: 'test.purpose', token: secret.token }),
    ).toBeUndefined()
  })

  it('accepts the right code once, and exactly once in parallel', async () => {
    const secret = await issue({ withCode: true })
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        consumeOneTimeCode(context, { userId, purpose: 'test.purpose', code: secret.code ?? '' }),
      ),
    )
    expect(results.filter(Boolean)).toHaveLength(1)
  })

  it('revokes every live secret of a user for a purpose', async () => {
    const first = await issue()
    const other = await issue({ purpose: 'kept' })
    expect(await revokeOneTimeSecrets(context.db, userId, context.clock.now(), 'test.purpose')).toBe(1)
    expect(
      await consumeOneTimeToken(context, { purpose: 'test.purpose', token: first.token }),
    ).toBeUndefined()
    expect(await consumeOneTimeToken(context, { purpose: 'kept', token: other.token })).toBeDefined()
  })
})
