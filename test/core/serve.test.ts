import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { GATEHOUSE_BIN } from '../helpers/cli.ts'
import { removeDirectory, temporaryDirectory } from '../helpers/files.ts'
import { bearer } from '../helpers/api.ts'
import { postJson } from '../helpers/http.ts'
import { randomPort } from '../helpers/server-process.ts'
import { PASSWORD } from '../helpers/users.ts'
import { waitFor } from '../helpers/wait.ts'

/** Runs `gatehouse serve` in `cwd` with only the given environment, as `npm start` would. */
function serve(cwd: string, env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let output = ''
  // Only PATH and the given names: no GATEHOUSE_* from the test run leaks in.
  const child = spawn(process.execPath, [GATEHOUSE_BIN, 'serve'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
  })
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  return { child, output: () => output }
}

/** Waits until the server answers /readyz; fails at once, with what it printed, if it exits first. */
async function waitUntilUp(base: string, { child, output }: ReturnType<typeof serve>): Promise<void> {
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`)
      // A refused connection means it is not listening yet.
      return (await fetch(`${base}/readyz`).catch(() => undefined))?.ok === true
    },
    15_000,
    50,
  )
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode)
    else child.once('exit', (code) => resolve(code))
  })

describe('gatehouse serve', () => {
  const folders: string[] = []
  const children: ChildProcess[] = []
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL')
    for (const folder of folders.splice(0)) removeDirectory(folder)
  })
  const folder = () => {
    const created = temporaryDirectory('serve')
    folders.push(created)
    return created
  }
  // Below the ephemeral range: an outgoing connection never holds the port a restart must bind again.
  const port = () => String(randomPort())

  it('starts with no configuration: creates ./data, a 0600 secret, warns, and serves the seed API', async () => {
    const cwd = folder()
    const listenPort = port()
    const server = serve(cwd, { PORT: listenPort })
    const { child, output } = server
    children.push(child)
    const base = `http://127.0.0.1:${listenPort}`
    await waitUntilUp(base, server)
    expect(existsSync(join(cwd, 'data', 'gatehouse.db'))).toBe(true)
    expect(statSync(join(cwd, 'data', 'secret')).mode & 0o777).toBe(0o600)
    expect(output()).toContain('GATEHOUSE_SECRET is not set')
    const credentials = { username: 'zero', password: PASSWORD }
    expect((await postJson(base, '/register', credentials)).status).toBe(201)
    expect((await postJson(base, '/login', credentials)).status).toBe(200)
    expect(output()).not.toContain(PASSWORD)
    child.kill('SIGTERM')
    expect(await exited(child)).toBe(0)
  }, 60_000)

  it('keeps what it acknowledged when the process is killed, and the same secret opens the keys after restart', async () => {
    const cwd = folder()
    const listenPort = port()
    const base = `http://127.0.0.1:${listenPort}`
    const first = serve(cwd, { PORT: listenPort })
    children.push(first.child)
    await waitUntilUp(base, first)
    const credentials = { username: 'durable', password: PASSWORD }
    expect((await postJson(base, '/register', credentials)).status).toBe(201)
    const login = await postJson(base, '/login', credentials)
    const { access_token: token } = (await login.json()) as { access_token: string }
    // No graceful shutdown: the acknowledged writes must already be on disk.
    first.child.kill('SIGKILL')
    await exited(first.child)

    const second = serve(cwd, { PORT: listenPort })
    children.push(second.child)
    await waitUntilUp(base, second)
    expect((await fetch(`${base}/profile`, { headers: bearer(token) })).status).toBe(200)
    expect((await postJson(base, '/login', credentials)).status).toBe(200)
  }, 60_000)

  it('refuses to start in production without an explicit secret and issuer', async () => {
    const { child, output } = serve(folder(), { PORT: port(), NODE_ENV: 'production' })
    children.push(child)
    expect(await exited(child)).toBe(2)
    expect(output()).toContain('GATEHOUSE_SECRET')
    expect(output()).toContain('GATEHOUSE_ISSUER')
  }, 30_000)

  it('refuses a short secret in production', async () => {
    const { child, output } = serve(folder(), {
      PORT: port(),
      NODE_ENV: 'production',
      GATEHOUSE_SECRET: 'secret-key',
      GATEHOUSE_ISSUER: 'https://id.example.com',
    })
    children.push(child)
    expect(await exited(child)).toBe(2)
    expect(output()).toContain('at least 32 bytes')
  }, 30_000)
})

describe('a .env file', () => {
  it('is read at start, and the environment wins over it', async () => {
    const cwd = temporaryDirectory('dotenv')
    try {
      writeFileSync(join(cwd, '.env'), 'NODE_ENV=production\nGATEHOUSE_ISSUER=https://id.example.com\n')
      const fromFile = serve(cwd, { PORT: '1' })
      expect(await exited(fromFile.child)).toBe(2)
      // Production from the file: the missing secret is refused, and the issuer from the file counts.
      expect(fromFile.output()).toContain('GATEHOUSE_SECRET')
      expect(fromFile.output()).not.toContain('GATEHOUSE_ISSUER')
      const overridden = serve(cwd, { PORT: '1', NODE_ENV: 'production', GATEHOUSE_ISSUER: 'not a url' })
      expect(await exited(overridden.child)).toBe(2)
      expect(overridden.output()).toContain('GATEHOUSE_ISSUER')
    } finally {
      removeDirectory(cwd)
    }
  }, 30_000)
})
