import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createLogger } from '../../src/logger.ts'
import { closeServiceContext, createServiceContext } from '../../src/services/create-context.ts'
import { CLI_TEST_TIMEOUT_MS, runCli, sqliteCliEnv } from '../helpers/cli.ts'
import { testConfig } from '../helpers/config.ts'
import { connectPostgres, createTestDatabase } from '../helpers/databases.ts'
import { removeDirectory, temporaryDirectory } from '../helpers/files.ts'
import { skipWithout } from '../helpers/services.ts'

// Issue 17, start-up race: instances started at once on an empty database made two signing keys in
// about one start in five, because the first key was created outside the rotation lease.

const INSTANCES = 4
const ROUNDS = 5

describe.skipIf(skipWithout(['postgres'], 'first key on PostgreSQL'))(
  'the first signing key on PostgreSQL',
  () => {
    it(`${INSTANCES} contexts starting at once on an empty schema make exactly one key (${ROUNDS} rounds)`, async () => {
      const config = testConfig()
      const log = createLogger(config, false)
      for (let round = 0; round < ROUNDS; round += 1) {
        const database = await createTestDatabase('postgres')
        const schema = database.schema ?? ''
        try {
          // Each context gets its own pool, as a separate process would.
          const contexts = await Promise.all(
            Array.from({ length: INSTANCES }, () =>
              createServiceContext(config, log, { database: connectPostgres(schema) }),
            ),
          )
          try {
            const keys = await database.handle.db.selectFrom('signing_keys').select('kid').execute()
            expect(keys).toHaveLength(1)
            const leases = await database.handle.db.selectFrom('leases').selectAll().execute()
            expect(leases).toEqual([])
            for (const context of contexts) expect(context.keys.signingKid()).toBe(keys[0]?.kid)
          } finally {
            await Promise.all(contexts.map((context) => closeServiceContext(context)))
          }
        } finally {
          await database.close()
        }
      }
    }, 120_000)
  },
)

describe('the first signing key on one SQLite file', () => {
  let folder = ''
  // Made per test, so a run that filters the tests out leaves nothing behind.
  beforeEach(() => {
    folder = temporaryDirectory('first-key')
  })
  afterEach(() => removeDirectory(folder))

  it(
    `${INSTANCES - 1} processes starting at once on a new file make exactly one key`,
    async () => {
      const env = sqliteCliEnv(join(folder, 'gatehouse.db'))
      const results = await Promise.all(
        Array.from({ length: INSTANCES - 1 }, () => runCli(['keys', 'list'], { env })),
      )
      const listed = results.map((result) => {
        expect(result.code, result.stderr).toBe(0)
        // A header line, then one line per key: kid, algorithm, state, dates
        return result.stdout
          .trim()
          .split('\n')
          .slice(1)
          .map((line) => line.split('\t').slice(0, 2).join(' '))
      })
      const [first] = listed
      expect(first).toHaveLength(1)
      for (const lines of listed) expect(lines).toEqual(first)
    },
    CLI_TEST_TIMEOUT_MS,
  )
})
