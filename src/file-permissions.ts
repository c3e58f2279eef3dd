import { chmodSync, closeSync, fchmodSync, mkdirSync, openSync, statSync } from 'node:fs'

// The data folder holds password hashes, sealed signing keys and the development secret: it is private
// to the server's user (issue 16, finding 4). Modes are set explicitly after creation, because the mode
// passed to open() and mkdir() is filtered through the umask, which differs from one machine to the next.

const PRIVATE_FOLDER = 0o700
const PRIVATE_FILE = 0o600
// Windows has no POSIX modes: stat reports made-up bits there, so nothing is checked or set.
const POSIX = process.platform !== 'win32'

/** Creates a folder (and its parents) if missing; a folder created here is mode 0700. */
export function ensurePrivateFolder(folder: string): void {
  const created = mkdirSync(folder, { recursive: true, mode: PRIVATE_FOLDER })
  if (created !== undefined && POSIX) chmodSync(folder, PRIVATE_FOLDER)
}

/** Creates an empty file of mode 0600 unless it exists already; an existing file is left alone. */
export function ensurePrivateFile(path: string): void {
  let descriptor: number
  try {
    descriptor = openSync(path, 'wx', PRIVATE_FILE)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return
    throw error
  }
  try {
    if (POSIX) fchmodSync(descriptor, PRIVATE_FILE)
  } finally {
    closeSync(descriptor)
  }
}

/** Sets a file this process just wrote to mode 0600. */
export function makeFilePrivate(path: string): void {
  if (POSIX) chmodSync(path, PRIVATE_FILE)
}

/**
 * One warning for each existing file that its group or others may read or write: those are logged at
 * start, never changed behind the operator's back. Missing files are skipped.
 */
export function openFileWarnings(paths: readonly string[]): string[] {
  if (!POSIX) return []
  const warnings: string[] = []
  for (const path of paths) {
    let mode: number
    try {
      mode = statSync(path).mode & 0o777
    } catch {
      continue
    }
    if ((mode & 0o077) !== 0) {
      warnings.push(
        `${path} is mode 0${mode.toString(8)}: other users of this machine can read it; ` +
          `it should be private to the server's user (chmod 600 ${path})`,
      )
    }
  }
  return warnings
}
