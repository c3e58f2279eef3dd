import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A fresh directory under the system's temporary directory, named `gatehouse-<purpose>-…`. */
export function temporaryDirectory(purpose: string): string {
  return mkdtempSync(join(tmpdir(), `gatehouse-${purpose}-`))
}

/** Removes a directory and everything in it; a missing directory is fine. */
export function removeDirectory(path: string): void {
  rmSync(path, { recursive: true, force: true })
}
