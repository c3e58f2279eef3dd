import { existsSync, readFileSync } from 'node:fs'

/**
 * Reads this installation's package.json. It sits one folder above the sources (src/) and two above
 * the compiled server (dist/server/), so both places are tried; the name check keeps a workspace
 * package's manifest from being taken for ours.
 */
function readPackageVersion(): string {
  for (const relative of ['../package.json', '../../package.json']) {
    const url = new URL(relative, import.meta.url)
    if (!existsSync(url)) continue
    const manifest = JSON.parse(readFileSync(url, 'utf8')) as { name?: string; version?: string }
    if (manifest.name === 'gatehouse' && typeof manifest.version === 'string') return manifest.version
  }
  return '0.0.0'
}

/** The Gatehouse version, from package.json. */
export const VERSION = readPackageVersion()
