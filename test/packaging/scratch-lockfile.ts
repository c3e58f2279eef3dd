import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { defined } from '../helpers/defined.ts'

/** One `packages` entry of a version 3 package-lock.json. */
interface LockfileEntry {
  version?: string
  resolved?: string
  integrity?: string
  dependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  peerDependenciesMeta?: Record<string, { optional?: boolean }>
  [field: string]: unknown
}

/** The fields of a package.json this module reads. */
export interface PackageManifest {
  name: string
  version: string
  license?: string
  engines?: Record<string, string>
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  peerDependenciesMeta?: Record<string, { optional?: boolean }>
}

/** A scratch project's package.json and package-lock.json, ready to write. */
export interface ScratchProject {
  packageJson: object
  packageLock: object
}

/**
 * Describes a scratch project that installs a packed tarball plus some registry packages, pinned to the
 * versions in our own lockfile. With every version and integrity known, `npm ci --offline` installs it
 * from the npm cache that `npm ci` of this repository filled, without asking the registry for metadata.
 *
 * The tarball's dependencies come from its manifest, not from us: a runtime dependency the library
 * forgot to declare is not installed, and the scratch app fails the way a user's would.
 */
export function describeScratchProject(options: {
  rootLockfilePath: string
  tarballPath: string
  manifest: PackageManifest
  /** Packages the scratch app itself depends on, at the version our lockfile has. */
  alongside: string[]
}): ScratchProject {
  const rootPackages = (
    JSON.parse(readFileSync(options.rootLockfilePath, 'utf8')) as { packages: Record<string, LockfileEntry> }
  ).packages
  const chosen: Record<string, LockfileEntry> = {}

  const visit = (requiredBy: string, name: string, optional: boolean): void => {
    const location = locate(rootPackages, requiredBy, name)
    if (location === undefined) {
      // An optional dependency for another platform is not in the lockfile at all; anything else must be.
      if (optional) return
      throw new Error(
        `${name} (needed by ${requiredBy || 'the scratch project'}) is not in package-lock.json`,
      )
    }
    if (chosen[location]) return
    // The root's dev/optional/peer flags describe Gatehouse's tree, not the scratch project's.
    const {
      dev: _dev,
      devOptional: _devOptional,
      optional: _optional,
      peer: _peer,
      ...entry
    } = defined(rootPackages[location], location)
    chosen[location] = entry
    for (const dependency of Object.keys(entry.dependencies ?? {})) visit(location, dependency, false)
    for (const dependency of Object.keys(entry.optionalDependencies ?? {})) visit(location, dependency, true)
    for (const dependency of Object.keys(entry.peerDependencies ?? {})) {
      if (!entry.peerDependenciesMeta?.[dependency]?.optional) visit(location, dependency, false)
    }
  }

  const { manifest } = options
  for (const dependency of Object.keys(manifest.dependencies ?? {})) visit('', dependency, false)
  const dependencies: Record<string, string> = { [manifest.name]: `file:${basename(options.tarballPath)}` }
  for (const name of options.alongside) {
    visit('', name, false)
    dependencies[name] = defined(chosen[`node_modules/${name}`]?.version, `the version of ${name}`)
  }
  chosen[`node_modules/${manifest.name}`] = {
    version: manifest.version,
    resolved: `file:${basename(options.tarballPath)}`,
    integrity: `sha512-${createHash('sha512').update(readFileSync(options.tarballPath)).digest('base64')}`,
    license: manifest.license,
    engines: manifest.engines,
    dependencies: manifest.dependencies,
    peerDependencies: manifest.peerDependencies,
    peerDependenciesMeta: manifest.peerDependenciesMeta,
  }
  const name = 'gatehouse-verify-scratch'
  return {
    packageJson: { name, private: true, dependencies },
    packageLock: {
      name,
      lockfileVersion: 3,
      requires: true,
      packages: { '': { name, dependencies }, ...chosen },
    },
  }
}

/** Where Node would find `name` from the package at `requiredBy`: its own node_modules, then each parent's. */
function locate(
  packages: Record<string, LockfileEntry>,
  requiredBy: string,
  name: string,
): string | undefined {
  let base = requiredBy
  for (;;) {
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`
    if (packages[candidate]) return candidate
    if (base === '') return undefined
    const parent = base.lastIndexOf('/node_modules/')
    base = parent === -1 ? '' : base.slice(0, parent)
  }
}
