import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { defined } from '../helpers/defined.ts'
import { describeScratchProject, type PackageManifest } from './scratch-lockfile.ts'

const run = promisify(execFile)

/** The repository's root folder. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** The library's folder: what `npm pack` packs. */
export const VERIFY_PACKAGE = join(REPOSITORY_ROOT, 'packages', 'verify')

// Settings a scratch command may inherit. Everything else that npm put in the environment (this run's
// package, workspace and lifecycle, and NODE_OPTIONS, which could carry a loader) stays out, so the
// scratch project is a stranger to this repository.
const KEPT_NPM_SETTINGS = new Set([
  'npm_config_cache',
  'npm_config_userconfig',
  'npm_config_globalconfig',
  'npm_config_registry',
  'npm_config_cafile',
])

/** The environment for commands run in or for the scratch project. */
export function strangerEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'NODE_OPTIONS' || key.startsWith('VITEST') || key === 'INIT_CWD') continue
    if (key.toLowerCase().startsWith('npm_') && !KEPT_NPM_SETTINGS.has(key.toLowerCase())) continue
    environment[key] = value
  }
  return { ...environment, ...extra }
}

/** Runs `npm pack` on the library (its prepack script builds dist/ first); returns the tarball's path. */
export async function packVerifyLibrary(destination: string): Promise<string> {
  await run('npm', ['pack', '--pack-destination', destination, '--silent'], {
    cwd: VERIFY_PACKAGE,
    env: strangerEnvironment(),
  })
  const tarballs = readdirSync(destination).filter((name) => name.endsWith('.tgz'))
  if (tarballs.length !== 1) throw new Error(`npm pack left ${tarballs.length} tarballs in ${destination}`)
  return join(destination, defined(tarballs[0]))
}

/** How the scratch project's dependencies were obtained. */
export type InstallSource = 'npm cache only' | 'npm cache and registry'

/**
 * Writes the scratch project and installs it: from the npm cache alone when it holds every tarball
 * (after `npm ci` of this repository it does), else letting npm fetch what is missing.
 */
export async function installScratchProject(
  directory: string,
  tarballPath: string,
  alongside: string[],
): Promise<InstallSource> {
  const manifest = JSON.parse(readFileSync(join(VERIFY_PACKAGE, 'package.json'), 'utf8')) as PackageManifest
  const project = describeScratchProject({
    rootLockfilePath: join(REPOSITORY_ROOT, 'package-lock.json'),
    tarballPath,
    manifest,
    alongside,
  })
  // The lock entries are ours, so the scratch project takes our `overrides` too (cookie@1.1.1 for Node 20):
  // without them npm ci finds the pinned versions out of range and refuses the lock.
  const { overrides } = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as {
    overrides?: object
  }
  const packageJson = { ...project.packageJson, ...(overrides ? { overrides } : {}) }
  writeFileSync(join(directory, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`)
  writeFileSync(join(directory, 'package-lock.json'), `${JSON.stringify(project.packageLock, null, 2)}\n`)
  // No install scripts: nothing here needs one, and a scratch install should not run code it need not.
  const install = (mode: string) =>
    run('npm', ['ci', mode, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: directory,
      env: strangerEnvironment(),
    })
  try {
    await install('--offline')
    return 'npm cache only'
  } catch (error) {
    if (!String((error as { stderr?: string }).stderr).includes('ENOTCACHED')) throw error
    await install('--prefer-offline')
    return 'npm cache and registry'
  }
}

/** A resource server running from the scratch project in its own Node process. */
export interface ScratchServer {
  url: string
  /** Everything the process wrote to stderr so far. */
  stderr(): string
  stop(): void
}

// Generous for a loaded CI machine; a healthy server reports its port in well under a second.
const STARTUP_LIMIT_MS = 30_000

/** Starts `node <file>` in the scratch project and waits for the port it prints. */
export function startScratchServer(
  directory: string,
  file: string,
  environment: Record<string, string>,
): Promise<ScratchServer> {
  const child: ChildProcess = spawn(process.execPath, [file], {
    cwd: directory,
    env: strangerEnvironment(environment),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  defined(child.stderr).on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill()
      reject(new Error(`${file} did not report a port within ${STARTUP_LIMIT_MS} ms:\n${stderr}`))
    }, STARTUP_LIMIT_MS)
    defined(child.stdout).on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const line = stdout.split('\n').find((text) => text.startsWith('{"port":'))
      if (line === undefined) return
      clearTimeout(timer)
      const { port } = JSON.parse(line) as { port: number }
      resolve({ url: `http://127.0.0.1:${port}`, stderr: () => stderr, stop: () => child.kill() })
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${file} exited with ${code} before listening:\n${stderr}`))
    })
    child.once('error', reject)
  })
}
