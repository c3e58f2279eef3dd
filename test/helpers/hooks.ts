import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import { createTestApp, startTestServer, type TestApp, type TestAppOptions, type TestServer } from './app.ts'
import { createTestDatabase, type TestDatabase } from './databases.ts'
import type { Dialect } from '../../src/db/schema.ts'

// Starting and closing what a test needs, registered once instead of written out in every file.

/** `suite`: one instance for the enclosing describe block; `test`: a fresh one for every test. */
export type Scope = 'suite' | 'test'

/** Anything a test starts and must close: an app, a server, a mail server. */
export interface Closable {
  close(): Promise<void>
}

/**
 * Starts something with `start` before the block, or before each test, and closes it after. The returned
 * object reads through to the running instance, so tests use it as they would a variable of their own.
 */
export function useRunning<T extends Closable>(start: () => Promise<T>, scope: Scope = 'suite'): T {
  const current = running(start, scope)
  // Every property read goes to the instance running now; there is none outside tests and hooks.
  return new Proxy({} as T, { get: (_target, key) => Reflect.get(current(), key) as unknown })
}

/**
 * useRunning for an app (or a server, or an admin app): tests write `testApp.app` or
 * `const { app, clock } = testApp`.
 */
export function useTestApp<T extends TestApp>(start: () => Promise<T>, scope: Scope = 'suite'): T {
  return useRunning(start, scope)
}

/** Apps, servers and databases a test starts itself; each is closed after that test, the newest first. */
export interface ClosedAfterEach {
  app(options?: TestAppOptions): Promise<TestApp>
  server(options?: TestAppOptions): Promise<TestServer>
  database(dialect: Dialect): Promise<TestDatabase>
}

/** Tracks what tests start through the returned functions and closes it in afterEach. */
export function closedAfterEach(): ClosedAfterEach {
  const open: Array<{ close(): Promise<void> }> = []
  afterEach(async () => {
    for (const item of open.splice(0).reverse()) await item.close()
  })
  const track = async <T extends { close(): Promise<void> }>(starting: Promise<T>): Promise<T> => {
    const started = await starting
    open.push(started)
    return started
  }
  return {
    app: (options) => track(createTestApp(options)),
    server: (options) => track(startTestServer(options)),
    database: (dialect) => track(createTestDatabase(dialect)),
  }
}

function running<T extends Closable>(start: () => Promise<T>, scope: Scope): () => T {
  let current: T | undefined
  const [before, after] = scope === 'suite' ? [beforeAll, afterAll] : [beforeEach, afterEach]
  before(async () => {
    current = await start()
  })
  after(async () => {
    await current?.close()
    current = undefined
  })
  return () => {
    if (current === undefined) throw new Error('nothing is running here (read it inside a test or hook)')
    return current
  }
}
