// Builds @gatehouse/verify into dist/: ESM with declarations (tsc, which also type-checks), then the
// same JavaScript as CommonJS for apps that still `require`. The CommonJS files are converted from the
// checked ESM output one file to one file, never bundled: a bundle would give each entry point its own
// copy of VerifyError, and `instanceof` would fail between `@gatehouse/verify` and its `/express` glue.
/* global process, URL */
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const packageDirectory = fileURLToPath(new URL('..', import.meta.url))
const esmDirectory = join(packageDirectory, 'dist', 'esm')
const commonJsDirectory = join(packageDirectory, 'dist', 'cjs')

// Start clean, so a source file that was deleted or renamed never lingers in the package.
rmSync(join(packageDirectory, 'dist'), { recursive: true, force: true })

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
const compiled = spawnSync(process.execPath, [tsc, '-p', join(packageDirectory, 'tsconfig.build.json')], {
  stdio: 'inherit',
})
if (compiled.status !== 0) process.exit(compiled.status ?? 1)

const esmFiles = readdirSync(esmDirectory)
await build({
  entryPoints: esmFiles.filter((name) => name.endsWith('.js')).map((name) => join(esmDirectory, name)),
  outdir: commonJsDirectory,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
})
// tsc keeps the sources' `./x.ts` specifiers in declarations (only the JavaScript is rewritten); name
// the files that ship, so TypeScript versions and tools that do not map .ts to .d.ts resolve them too.
// One set of declarations describes both builds: beside a {"type":"commonjs"} package.json,
// TypeScript reads the copies as CommonJS declarations, so `require` users get matching types.
const RELATIVE_TS_SPECIFIER = /(from '\.{1,2}\/[^']+)\.ts'/g
for (const name of esmFiles.filter((file) => file.endsWith('.d.ts'))) {
  const declarations = readFileSync(join(esmDirectory, name), 'utf8').replace(RELATIVE_TS_SPECIFIER, "$1.js'")
  writeFileSync(join(esmDirectory, name), declarations)
  writeFileSync(join(commonJsDirectory, name), declarations)
}
writeFileSync(join(commonJsDirectory, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`)
