import { execFile, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { removeDirectory, temporaryDirectory } from '../helpers/files.ts'
import { waitFor } from '../helpers/wait.ts'
import { randomPort } from '../helpers/server-process.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const run = promisify(execFile)

describe('the compiled server', () => {
  const folders: string[] = []
  afterAll(() => folders.forEach(removeDirectory))

  it('npm start runs bin/gatehouse.js, which loads dist/server and no TypeScript loader', () => {
    const manifest = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
      scripts: Record<string, string>
    }
    expect(manifest.scripts.start).toBe('node bin/gatehouse.js serve')
    expect(manifest.scripts.prepare).toBe('npm run build')
    expect(manifest.scripts.build).toContain('npm run build:server')
    const bin = readFileSync(`${ROOT}bin/gatehouse.js`, 'utf8')
    expect(bin).toContain('../dist/server/cli/main.js')
    expect(bin).not.toMatch(/from 'tsx|import\('tsx/)
  })

  it('builds to JavaScript, serves /healthz and answers --version from the build', async () => {
    await run('npm', ['run', 'build:server'], { cwd: ROOT })
    const version = await run(process.execPath, [`${ROOT}bin/gatehouse.js`, '--version'], { cwd: ROOT })
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)

    const cwd = temporaryDirectory('compiled')
    folders.push(cwd)
    const port = String(randomPort())
    let output = ''
    const child = spawn(process.execPath, [`${ROOT}bin/gatehouse.js`, 'serve'], {
      cwd,
      env: { PATH: process.env.PATH ?? '', PORT: port },
    })
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    try {
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${output}`)
          const response = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined)
          return response?.status === 200
        },
        30_000,
        50,
      )
      // The start-up log names where the API is documented, so a newcomer finds /docs, and it is there.
      expect(output).toContain('/docs')
      expect((await fetch(`http://127.0.0.1:${port}/docs`)).status).toBe(200)
    } finally {
      child.kill('SIGTERM')
    }
  }, 180_000)
})
