import { describe, expect, it } from 'vitest'
import { retireKeyNow, rotateNow } from '../../src/services/keys/rotation.ts'
import { KEY_PREPUBLICATION_MS } from '../../src/services/keys/schedule.ts'
import type { TestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { defined } from '../helpers/defined.ts'
import { closedAfterEach } from '../helpers/hooks.ts'

describe.each(DIALECTS)('key rotation in the audit log on %s', (dialect) => {
  const fresh = closedAfterEach()
  const rotations = async (app: TestApp['app']) =>
    (
      await app.services.db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'key.rotate')
        .orderBy('at')
        .orderBy('id')
        .execute()
    ).map((row) => JSON.parse(row.details ?? '{}') as Record<string, unknown>)

  it('records the first key, scheduled rotations, retirements and manual rotations', async () => {
    const { app, clock } = await fresh.app({ dialect, env: { GATEHOUSE_KEY_ROTATION_INTERVAL: '3600' } })
    const [initial] = await rotations(app)
    expect(initial).toMatchObject({ trigger: 'initial', algorithm: 'ES256' })

    clock.advance(3600 * 1000 - KEY_PREPUBLICATION_MS)
    const scheduled = await app.runKeyMaintenance()
    clock.advance(KEY_PREPUBLICATION_MS)
    await app.runKeyMaintenance()
    const manual = await rotateNow(app.keyRotation)
    const retired = await retireKeyNow(app.keyRotation, defined(manual.createdKid))

    const events = await rotations(app)
    expect(events.slice(1)).toEqual([
      { kid: scheduled.createdKid, algorithm: 'ES256', trigger: 'scheduled' },
      {
        kid: scheduled.createdKid,
        algorithm: 'ES256',
        retired_kid: defined(initial).kid,
        trigger: 'scheduled',
      },
      { kid: manual.createdKid, algorithm: 'ES256', retired_kid: scheduled.createdKid, trigger: 'manual' },
      { kid: retired.createdKid, algorithm: 'ES256', retired_kid: manual.createdKid, trigger: 'manual' },
    ])
  })
})
