import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.ts'
import type { Config } from '../../src/config.ts'
import { connectDatabase } from '../../src/db/connect.ts'
import type { Dialect } from '../../src/db/schema.ts'
import { ManualClock } from './clock.ts'
import { testConfig } from './config.ts'
import { connectPostgres, createTestDatabase, withClose, type TestDatabase } from './databases.ts'

/** A test instance of Gatehouse on a fresh database, with a clock the test controls. */
export interface TestApp {
  app: FastifyInstance
  clock: ManualClock
  config: Config
  database: TestDatabase
  close(): Promise<void>
}

/** Options for a test app. */
export interface TestAppOptions {
  dialect?: Dialect
  env?: Record<string, string | undefined>
  clock?: ManualClock
  /** Reuse an existing database (for a second instance); it is then not dropped on close. */
  database?: TestDatabase
}

/** Builds an app for `inject()` tests. Close it in afterEach/afterAll. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const clock = options.clock ?? new ManualClock()
  const config = testConfig(options.env)
  const ownsDatabase = options.database === undefined
  // A test that names its own SQLite file (to restart an instance on the same data) gets exactly that file.
  const namedFile =
    config.database.kind === 'sqlite' && config.database.path !== ':memory:' ? config.database : undefined
  const database =
    options.database ??
    (namedFile
      ? withClose({
          handle: connectDatabase(namedFile),
          url: `sqlite:${namedFile.path}`,
          schema: undefined,
          drop: async () => {},
        })
      : await createTestDatabase(options.dialect ?? 'sqlite'))
  // A second instance on PostgreSQL gets its own pool, as a real second process would.
  const handle = !ownsDatabase && database.schema ? connectPostgres(database.schema) : database.handle
  const app = await buildApp(config, { clock, database: handle, logger: false })
  return {
    app,
    clock,
    config,
    database,
    close: async () => {
      await app.close()
      if (ownsDatabase) await database.drop()
    },
  }
}

/** A test app listening on a real port. */
export interface TestServer extends TestApp {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  baseUrl: string
}

/** A test app listening on a real port, for end-to-end tests over HTTP. */
export async function startTestServer(options: TestAppOptions = {}): Promise<TestServer> {
  const testApp = await createTestApp(options)
  await testApp.app.listen({ host: '127.0.0.1', port: 0 })
  const address = testApp.app.server.address()
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address')
  return { ...testApp, baseUrl: `http://127.0.0.1:${address.port}` }
}
