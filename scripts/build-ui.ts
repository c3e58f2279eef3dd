// Builds the hosted pages (ui/) into static files: `npm run build:ui`, also run by `npm ci` (prepare).
import { build } from 'esbuild'
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, extname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** Where the server looks for the built pages unless told otherwise. */
export const DEFAULT_UI_DIRECTORY = join(ROOT, 'dist', 'ui')

/** What a build wrote: the asset file names under `assets/`, and the shell. */
export interface UiBuildResult {
  directory: string
  assets: string[]
}

/**
 * Bundles ui/src with esbuild (Preact, JSX), names every asset by its content hash so browsers may cache
 * it forever, and writes `index.html`, the shell the server fills with the page language. Each file is
 * written to a temporary name and renamed, so a server (or a parallel test build) never reads half a file.
 */
export async function buildUi(directory = DEFAULT_UI_DIRECTORY): Promise<UiBuildResult> {
  const result = await build({
    entryPoints: { app: join(ROOT, 'ui', 'src', 'main.tsx') },
    outdir: join(directory, 'assets'),
    entryNames: '[name]-[hash]',
    bundle: true,
    format: 'esm',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    charset: 'utf8',
    legalComments: 'eof',
    write: false,
    logLevel: 'warning',
  })
  const files = new Map<string, Uint8Array | string>()
  for (const output of result.outputFiles) files.set(basename(output.path), output.contents)

  const icon = await readFile(join(ROOT, 'ui', 'icon.svg'))
  files.set(`icon-${contentHash(icon)}.svg`, icon)

  const named = (extension: string) => {
    const name = [...files.keys()].find((file) => extname(file) === extension)
    if (name === undefined) throw new Error(`the UI build produced no ${extension} file`)
    return `/ui/assets/${name}`
  }
  const shell = (await readFile(join(ROOT, 'ui', 'index.html'), 'utf8'))
    .replace('%JS%', named('.js'))
    .replace('%CSS%', named('.css'))
    .replace('%ICON%', named('.svg'))

  const assetsDirectory = join(directory, 'assets')
  await mkdir(assetsDirectory, { recursive: true })
  for (const [name, contents] of files) await writeAtomically(join(assetsDirectory, name), contents)
  // The shell goes last: once it names the new assets, they are all in place.
  await writeAtomically(join(directory, 'index.html'), shell)
  for (const name of await readdir(assetsDirectory)) {
    if (!files.has(name) && !name.endsWith('.tmp')) await rm(join(assetsDirectory, name), { force: true })
  }
  return { directory, assets: [...files.keys()] }
}

function contentHash(contents: Uint8Array): string {
  return createHash('sha256').update(contents).digest('base64url').slice(0, 10)
}

async function writeAtomically(path: string, contents: Uint8Array | string): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`
  await writeFile(temporary, contents)
  await rename(temporary, path)
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { directory, assets } = await buildUi(process.argv[2] ?? DEFAULT_UI_DIRECTORY)
  process.stdout.write(`Built the pages into ${directory} (${assets.join(', ')})\n`)
}
