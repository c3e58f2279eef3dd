// The verify library as its users get it: packed with `npm pack`, installed from the tarball into a
// project outside this repository that has no TypeScript and no loader, and run by plain Node as ESM
// and as CommonJS in tiny Express and Fastify resource servers, against a real Gatehouse.
import { execFile } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestApp } from '../helpers/app.ts'
import { defined } from '../helpers/defined.ts'
import {
  loginOverHttp,
  startGatehouse,
  TEST_AUDIENCE,
  TEST_ISSUER,
} from '../../packages/verify/test/support.ts'
import { typecheckConsumers } from './consumer-types.ts'
import {
  installScratchProject,
  packVerifyLibrary,
  startScratchServer,
  strangerEnvironment,
  type ScratchServer,
} from './scratch-project.ts'

const FIXTURES = new URL('./fixtures/', import.meta.url)
const SERVERS = ['express-server.mjs', 'express-server.cjs', 'fastify-server.mjs', 'fastify-server.cjs']
// What a user installs beside the library: the two frameworks, and declarations for the type check.
const ALONGSIDE = ['fastify', 'express', '@types/node', '@types/express']

describe('@gatehouse/verify packed and installed in a plain JavaScript project', () => {
  let scratch: string
  let gatehouse: TestApp & { baseUrl: string }
  let userToken: string
  let adminToken: string
  const servers = new Map<string, ScratchServer>()
  let typecheck: Promise<string>

  beforeAll(async () => {
    const packStarted = Date.now()
    scratch = mkdtempSync(join(tmpdir(), 'gatehouse-verify-pack-'))
    const tarball = await packVerifyLibrary(scratch)
    const source = await installScratchProject(scratch, tarball, ALONGSIDE)
    console.log(`[verify-pack] packed and installed in ${Date.now() - packStarted} ms from the ${source}`)
    // tsc is the slowest step and needs only the installed project: it runs while the servers start and
    // answer, and its own test awaits it. The no-op catch keeps a failure for that test to report.
    typecheck = typecheckConsumers(scratch)
    typecheck.catch(() => {})

    gatehouse = await startGatehouse({
      GATEHOUSE_ADMIN_USERNAME: 'root',
      GATEHOUSE_ADMIN_PASSWORD: 'correct horse battery staple',
    })
    userToken = await loginOverHttp(gatehouse.baseUrl, 'packaged-user')
    adminToken = await loginOverHttp(gatehouse.baseUrl, 'root', false)
    const environment = {
      GATEHOUSE_ISSUER: TEST_ISSUER,
      GATEHOUSE_AUDIENCE: TEST_AUDIENCE,
      GATEHOUSE_JWKS_URI: `${gatehouse.baseUrl}/.well-known/jwks.json`,
    }
    for (const file of SERVERS) copyFileSync(new URL(file, FIXTURES), join(scratch, file))
    // Wait for every server, so that afterAll stops those that started even when another did not.
    const outcomes = await Promise.allSettled(
      SERVERS.map(async (file) => servers.set(file, await startScratchServer(scratch, file, environment))),
    )
    for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason
  }, 180_000)

  afterAll(async () => {
    for (const server of servers.values()) server.stop()
    await typecheck?.catch(() => {})
    await gatehouse?.close()
    if (scratch) rmSync(scratch, { recursive: true, force: true })
  })

  it('ships only the built files, and installs with exactly the dependencies it declares', async () => {
    const shipped = readdirSync(join(scratch, 'node_modules/@gatehouse/verify'), { recursive: true }).map(
      String,
    )
    expect(shipped).toEqual(
      expect.arrayContaining(['dist/esm/fastify.js', 'dist/cjs/fastify.js', 'dist/cjs/fastify.d.ts']),
    )
    expect(shipped.filter((file) => file.startsWith('src') || file.startsWith('test'))).toEqual([])
    // fastify-plugin arrives with the library, not as a peer the user must know to add.
    expect(existsSync(join(scratch, 'node_modules/fastify-plugin/package.json'))).toBe(true)
    // Nothing here could run TypeScript: no compiler, no loader.
    for (const tool of ['typescript', 'tsx', 'ts-node', 'esbuild']) {
      expect(existsSync(join(scratch, 'node_modules', tool)), tool).toBe(false)
    }
    // `npm ls` fails on any dependency that is missing or at a version the library does not accept.
    await promisify(execFile)('npm', ['ls', '--all'], { cwd: scratch, env: strangerEnvironment() })
  })

  describe.each(SERVERS)('%s', (file) => {
    const get = (path: string, authorization?: string) =>
      fetch(`${defined(servers.get(file)).url}${path}`, { headers: authorization ? { authorization } : {} })

    it('answers 200 with the claims for a valid token, and lets the role through', async () => {
      const me = await get('/me', `Bearer ${userToken}`)
      expect(me.status).toBe(200)
      expect(await me.json()).toMatchObject({ iss: TEST_ISSUER, aud: TEST_AUDIENCE, role: 'user' })
      const admin = await get('/admin', `Bearer ${adminToken}`)
      expect(admin.status).toBe(200)
      expect(await admin.json()).toMatchObject({ role: 'admin' })
    })

    it('answers 401 for a bad token and for none', async () => {
      const [header, payload] = userToken.split('.')
      const bad = await get('/me', `Bearer ${header}.${payload}.AAAA`)
      expect(bad.status).toBe(401)
      expect(bad.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/)
      expect(await bad.json()).toMatchObject({ error: 'invalid_token' })
      const none = await get('/me')
      expect(none.status).toBe(401)
      expect(none.headers.get('www-authenticate')).toBe('Bearer')
    })

    it('answers 403 insufficient_scope when the role is missing', async () => {
      const response = await get('/admin', `Bearer ${userToken}`)
      expect(response.status).toBe(403)
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="insufficient_scope"/)
    })

    it('gives plain verify() callers a VerifyError with a stable code', async () => {
      const [header, payload] = userToken.split('.')
      expect(await (await get('/check', `Bearer ${userToken}`)).json()).toMatchObject({ outcome: 'accepted' })
      expect(await (await get('/check', `Bearer ${header}.${payload}.AAAA`)).json()).toEqual({
        outcome: 'invalid_signature',
      })
      expect(await (await get('/check')).json()).toEqual({ outcome: 'token_missing' })
    })

    it('runs without a warning or an error on stderr', () => {
      expect(defined(servers.get(file)).stderr()).toBe('')
    })
  })

  it('gives TypeScript users declarations for import and for require', async () => {
    await expect(typecheck).resolves.toBe('')
  }, 60_000)
})
