import SQLite from 'better-sqlite3'
import { spawn, type ChildProcess } from 'node:child_process'
import { request } from 'node:http'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { sqliteCounterStore } from '../../src/services/throttle/counters.ts'
import { CLI_TEST_TIMEOUT_MS, GATEHOUSE_BIN, sqliteCliEnv } from '../helpers/cli.ts'
import { TEST_SECRET } from '../helpers/config.ts'
import { removeDirectory, temporaryDirectory } from '../helpers/files.ts'
import { PASSWORD } from '../helpers/users.ts'
import { waitFor } from '../helpers/wait.ts'
import { randomPort } from '../helpers/server-process.ts'

/** POSTs JSON on a connection of its own, so the cluster hands each request to the next worker. */
function postOnNewConnection(port: number, path: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json' },
      },
      (response) => {
        response.resume()
        response.on('end', () => resolve(response.statusCode ?? 0))
      },
    )
    outgoing.on('error', reject)
    outgoing.end(JSON.stringify(body))
  })
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode)
    else child.once('exit', (code) => resolve(code))
  })

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('GATEHOUSE_WORKERS', () => {
  const folder = temporaryDirectory('workers')
  const children: ChildProcess[] = []
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL')
  })
  afterAll(() => removeDirectory(folder))

  it('reads N or auto, and refuses what cannot work', () => {
    const base = { GATEHOUSE_SECRET: TEST_SECRET }
    expect(loadConfig(base)).toMatchObject({ workers: 1, backgroundJobs: true })
    expect(loadConfig({ ...base, GATEHOUSE_WORKERS: '3' }).workers).toBe(3)
    expect(loadConfig({ ...base, GATEHOUSE_WORKERS: 'auto' }).workers).toBeGreaterThanOrEqual(1)
    expect(() => loadConfig({ ...base, GATEHOUSE_WORKERS: '0' })).toThrow(/GATEHOUSE_WORKERS/)
    expect(() =>
      loadConfig({ ...base, GATEHOUSE_WORKERS: '2', GATEHOUSE_DATABASE_URL: 'sqlite::memory:' }),
    ).toThrow(/in-memory/)
  })

  it('shares throttle counters between processes through the SQLite file', async () => {
    const health = { failed: () => {}, succeeded: () => {} }
    const path = join(folder, 'counters.db')
    const setup = new SQLite(path)
    setup.exec(
      'create table throttle_counters (key varchar(255) primary key, points integer not null default 0, expire bigint)',
    )
    setup.close()
    const [one, two] = [sqliteCounterStore(path, health), sqliteCounterStore(path, health)]
    try {
      expect(await one.counter('register', 60).increment('ip')).toBe(1)
      expect(await two.counter('register', 60).increment('ip')).toBe(2)
      expect(await one.counter('register', 60).read('ip')).toBe(2)
    } finally {
      one.close?.()
      two.close?.()
    }
  })

  it(
    'serves from two workers sharing the port, counts throttles once, and stops them all on SIGTERM',
    async () => {
      const port = randomPort()
      const databasePath = join(folder, 'g.db')
      let output = ''
      const child = spawn(process.execPath, [GATEHOUSE_BIN, 'serve'], {
        env: {
          PATH: process.env.PATH ?? '',
          GATEHOUSE_SECRET: TEST_SECRET,
          ...sqliteCliEnv(databasePath),
          GATEHOUSE_LOG_LEVEL: 'info',
          GATEHOUSE_WORKERS: '2',
          GATEHOUSE_REGISTER_PER_IP_PER_HOUR: '3',
          PORT: String(port),
        },
      })
      children.push(child)
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
      const listening = () =>
        new Set(
          output
            .split('\n')
            .filter((line) => line.includes('Server listening'))
            .map((line) => (JSON.parse(line) as { pid: number }).pid),
        )
      await waitFor(async () => listening().size === 2, 60_000, 100)
      const workers = [...listening()]
      expect(workers).not.toContain(child.pid)

      // Each request on a new connection goes to the next worker; per-process counters would allow 4.
      const statuses: number[] = []
      for (let index = 0; index < 4; index += 1)
        statuses.push(
          await postOnNewConnection(port, '/register', { username: `w${index}`, password: PASSWORD }),
        )
      expect(statuses).toEqual([201, 201, 201, 429])

      // The primary made the first signing key before forking, so the workers did not race to make two.
      const database = new SQLite(databasePath, { readonly: true })
      expect(database.prepare('select count(*) as n from signing_keys').get()).toEqual({ n: 1 })
      database.close()

      child.kill('SIGTERM')
      expect(await exited(child)).toBe(0)
      expect(workers.filter(isRunning)).toEqual([])
    },
    CLI_TEST_TIMEOUT_MS,
  )
})
