import { existsSync, readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

// Where this installation lives. The code runs from src/ (tsx, tests) or from dist/server/ (the compiled
// build), one and two folders below the root, so files beside the code (package.json, ui/, dist/ui/) are
// found from the root, never by a relative path that holds in only one of the two layouts.

interface Manifest {
  name?: string
  version?: string
}

function findRoot(): { root: string; manifest: Manifest } {
  for (const relative of ['../', '../../']) {
    const url = new URL(`${relative}package.json`, import.meta.url)
    if (!existsSync(url)) continue
    const manifest = JSON.parse(readFileSync(url, 'utf8')) as Manifest
    // The name check keeps a workspace package's manifest from being taken for ours.
    if (manifest.name === 'gatehouse') return { root: dirname(fileURLToPath(url)), manifest }
  }
  throw new Error('cannot find the Gatehouse installation (package.json named "gatehouse")')
}

const found = findRoot()

/** The folder holding package.json, ui/ and dist/. */
export const INSTALLATION_ROOT = found.root

/** The Gatehouse version, from package.json. */
export const VERSION = found.manifest.version ?? '0.0.0'
