import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chownSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { removeDirectory, temporaryDirectory } from '../helpers/files.ts'
import { waitFor } from '../helpers/wait.ts'

// What the cluster suite starts around Gatehouse: haproxy from the documented template, a database of
// its own on the shared PostgreSQL, and a private PostgreSQL and Redis it may restart. Everything
// started here is registered with `cleanup`, which the suites call in afterAll even after a failure.

const run = promisify(execFile)

/** The haproxy binary Debian installs (.ci/run installs the package when it is missing). */
export const HAPROXY = '/usr/sbin/haproxy'
/** The one haproxy configuration template: docs/deploy.md shows it and the tests render it. */
export const HAPROXY_TEMPLATE = new URL('../../deploy/haproxy.cfg.template', import.meta.url)

const cleanups: Array<() => Promise<void> | void> = []
// The last resort when the test process ends without afterAll having run (a hook timed out, the run was
// interrupted): synchronous, so it works inside an 'exit' handler.
const atExit: Array<() => void> = []
process.once('exit', () => {
  for (const step of atExit.splice(0).reverse()) {
    try {
      step()
    } catch {
      // Keep going: every other step must still run.
    }
  }
})

/** Kills `child` when the test process exits, if nothing stopped it before. */
export function killAtExit(child: ChildProcess): void {
  atExit.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
}

/** Runs every registered cleanup, newest first; errors are printed, never thrown, so all of them run. */
export async function cleanup(): Promise<void> {
  for (const step of cleanups.splice(0).reverse()) {
    try {
      await step()
    } catch (error) {
      console.error('[cluster] cleanup step failed:', error)
    }
  }
}

/** Renders the haproxy template for `servers` (name → host:port). */
export function renderHaproxyConfig(
  listenPort: number,
  statsPort: number,
  servers: ReadonlyArray<{ name: string; address: string }>,
): string {
  const template = readFileSync(HAPROXY_TEMPLATE, 'utf8')
  return template
    .split('\n')
    .flatMap((line) =>
      line.includes('{{ADDRESS}}')
        ? servers.map((server) =>
            line.replace('{{NAME}}', server.name).replace('{{ADDRESS}}', server.address),
          )
        : [line.replace('{{LISTEN_PORT}}', String(listenPort)).replace('{{STATS_PORT}}', String(statsPort))],
    )
    .join('\n')
}

/** A running haproxy. */
export interface Haproxy {
  baseUrl: string
  /** haproxy's log (standard error) so far. */
  log(): string
  /** The servers haproxy currently sends traffic to. */
  serversUp(): Promise<string[]>
  stop(): Promise<void>
}

/** Starts haproxy in the foreground (`-db`) in front of `servers`. */
export async function startHaproxy(
  listenPort: number,
  servers: ReadonlyArray<{ name: string; address: string }>,
): Promise<Haproxy> {
  const folder = temporaryDirectory('haproxy')
  const statsPort = listenPort + 1
  const configPath = join(folder, 'haproxy.cfg')
  writeFileSync(configPath, renderHaproxyConfig(listenPort, statsPort, servers))
  await run(HAPROXY, ['-c', '-q', '-f', configPath])
  const child = spawn(HAPROXY, ['-db', '-f', configPath], { stdio: ['ignore', 'ignore', 'pipe'] })
  killAtExit(child)
  let errors = ''
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()))
  const stop = async () => {
    await stopChild(child)
    removeDirectory(folder)
  }
  cleanups.push(stop)
  const serversUp = async () => {
    const csv = await (await fetch(`http://127.0.0.1:${statsPort}/stats;csv`)).text()
    return (
      csv
        .split('\n')
        .map((line) => line.split(','))
        .filter((fields) => fields[0] === 'gatehouse' && fields[1] !== 'BACKEND' && fields[1] !== 'FRONTEND')
        // "UP 1/3" is still in rotation (a failed check, not yet enough to take it out); "DOWN 1/2" is not yet back.
        .filter((fields) => fields[17]?.startsWith('UP') === true)
        .map((fields) => fields[1] ?? '')
    )
  }
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}: ${errors}`)
    return serversUp().then(
      () => true,
      () => false,
    )
  }, 10_000)
  return { baseUrl: `http://127.0.0.1:${listenPort}`, serversUp, stop, log: () => errors }
}

/** A database of the suite's own on the shared PostgreSQL server; dropped by `cleanup`. */
export async function createClusterDatabase(serverUrl: string): Promise<string> {
  const name = `gh_cluster_${randomBytes(5).toString('hex')}`
  await adminQuery(serverUrl, `create database ${name}`)
  cleanups.push(async () => {
    await adminQuery(serverUrl, `drop database if exists ${name} with (force)`)
  })
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return url.toString()
}

/** Runs one statement on a PostgreSQL server. */
export async function adminQuery(serverUrl: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try {
    return await client.query(text)
  } finally {
    await client.end()
  }
}

/** A PostgreSQL cluster of the suite's own (initdb + pg_ctl), on its own port and data folder. */
export interface PrivatePostgres {
  url: string
  stop(): Promise<void>
  start(): Promise<void>
}

function postgresBin(program: string): string {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))
  const found = versions.map((version) => `/usr/lib/postgresql/${version}/bin/${program}`).find(existsSync)
  if (!found) throw new Error(`${program} not found under /usr/lib/postgresql/*/bin`)
  return found
}

/** PostgreSQL refuses to run as root: run its programs as the postgres user then. */
function asPostgresUser(program: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', program, ...args]] : [program, args]
}

/** initdb's a fresh cluster in a temporary folder and starts it on `port`; `cleanup` stops and removes it. */
export async function startPrivatePostgres(port: number): Promise<PrivatePostgres> {
  const folder = temporaryDirectory('postgres')
  const data = join(folder, 'data')
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres'])
    const { stdout: group } = await run('id', ['-g', 'postgres'])
    chownSync(folder, Number(stdout.trim()), Number(group.trim()))
  }
  const pgCtl = (args: string[]) => run(...asPostgresUser(postgresBin('pg_ctl'), ['-D', data, ...args]))
  await run(...asPostgresUser(postgresBin('initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-N']))
  const options = `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c fsync=off`
  const start = async () => {
    await pgCtl(['-o', options, '-l', join(folder, 'log'), '-w', '-t', '30', 'start'])
  }
  const stop = async () => {
    await pgCtl(['-m', 'fast', '-w', 'stop'])
  }
  await start()
  cleanups.push(async () => {
    await pgCtl(['-m', 'immediate', 'stop']).catch(() => undefined)
    removeDirectory(folder)
  })
  atExit.push(() => {
    if (existsSync(join(data, 'postmaster.pid')))
      execFileSync(...asPostgresUser(postgresBin('pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']))
    removeDirectory(folder)
  })
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, start, stop }
}

/** A redis-server of the suite's own, in the foreground, without persistence. */
export interface PrivateRedis {
  url: string
  stop(): Promise<void>
  start(): Promise<void>
}

/** Starts redis-server on `port`; `cleanup` stops it. */
export async function startPrivateRedis(port: number): Promise<PrivateRedis> {
  let child: ChildProcess | undefined
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    )
    killAtExit(child)
    await waitFor(async () => {
      const { stdout } = await run('redis-cli', ['-p', String(port), 'ping']).catch(() => ({ stdout: '' }))
      return stdout.trim() === 'PONG'
    }, 10_000)
  }
  const stop = async () => {
    if (child) await stopChild(child)
  }
  await start()
  cleanups.push(stop)
  return { url: `redis://127.0.0.1:${port}`, start, stop }
}

/** Registers a cleanup step of a suite's own (killing its Gatehouse processes, say). */
export function onCleanup(step: () => Promise<void> | void): void {
  cleanups.push(step)
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}
