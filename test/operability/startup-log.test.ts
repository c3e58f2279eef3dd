import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { securityEventNames } from '../../src/services/security-events.ts'
import { describeDatabase, startupSummary, startupWarnings } from '../../src/startup-log.ts'
import { TEST_SECRET } from '../helpers/config.ts'
import { removeDirectory, temporaryDirectory } from '../helpers/files.ts'

describe('the start-up log', () => {
  const folder = temporaryDirectory('startup-log')
  afterAll(() => removeDirectory(folder))

  it('names the generated secret file', () => {
    const database = join(folder, 'gatehouse.db')
    const config = loadConfig({ GATEHOUSE_DATABASE_URL: `sqlite:${database}` })
    expect(config.secretGenerated).toBe(true)
    const [warning] = startupWarnings(config)
    expect(warning).toContain(`generated into ${resolve(folder, 'secret')}`)
  })

  it('warns in development when the issuer names another port than the one it listens on', () => {
    const base = { GATEHOUSE_SECRET: TEST_SECRET, GATEHOUSE_DATABASE_URL: 'sqlite::memory:' }
    const mismatch = loadConfig({ ...base, PORT: '9000', GATEHOUSE_ISSUER: 'http://localhost:8000' })
    expect(startupWarnings(mismatch).join('\n')).toContain(
      'GATEHOUSE_ISSUER is http://localhost:8000 but the server listens on port 9000',
    )
    expect(startupWarnings(loadConfig({ ...base, PORT: '9000' }))).toEqual([])
    expect(
      startupWarnings(loadConfig({ ...base, PORT: '80', GATEHOUSE_ISSUER: 'http://localhost' })),
    ).toEqual([])
    // A public issuer behind a proxy differs from the local port on purpose.
    expect(
      startupWarnings(loadConfig({ ...base, PORT: '9000', GATEHOUSE_ISSUER: 'https://id.example.com' })),
    ).toEqual([])
  })

  it('says where /docs is, the issuer, the database (without its password) and the algorithm', () => {
    const config = loadConfig({
      GATEHOUSE_SECRET: TEST_SECRET,
      PORT: '8123',
      GATEHOUSE_DATABASE_URL: 'postgres://gatehouse:s3cret-pw@db.internal:5432/auth',
      GATEHOUSE_JWT_ALG: 'ES256',
    })
    const summary = startupSummary(config)
    expect(summary).toEqual({
      docs: 'http://127.0.0.1:8123/docs',
      issuer: 'http://localhost:8123',
      database: 'postgres://gatehouse:***@db.internal:5432/auth',
      signing_algorithm: 'ES256',
    })
    expect(describeDatabase({ kind: 'sqlite', path: ':memory:' })).toBe('sqlite (in memory)')
  })

  it('.env.example leaves GATEHOUSE_ISSUER commented out, so a copied .env follows PORT', () => {
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8')
    expect(example).not.toMatch(/^GATEHOUSE_ISSUER=/m)
    expect(example).toMatch(/^# GATEHOUSE_ISSUER=/m)
  })
})

describe('security-event names', () => {
  it('name every audit action, so none is logged under the generic audit.<action>', () => {
    const source = readFileSync(new URL('../../src/services/audit.ts', import.meta.url), 'utf8')
    const union = /export type AuditAction =([^]*?)\n\n/.exec(source)?.[1] ?? ''
    const actions = [...union.matchAll(/'([a-z_.]+)'/g)].map((match) => match[1] ?? '')
    expect(actions.length).toBeGreaterThan(30)
    const observed = (action: string) => ({
      action,
      outcome: 'success',
      actorUserId: null,
      targetUserId: null,
      sessionId: null,
      requestId: null,
      ip: null,
      details: {},
    })
    const generic = actions.filter((action) =>
      securityEventNames(observed(action)).some((event) => event.name.startsWith('audit.')),
    )
    expect(generic).toEqual([])
  })
})
