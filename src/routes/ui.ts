import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { readdir, readFile } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { INSTALLATION_ROOT } from '../installation.ts'

/** Where `npm run build:ui` writes the pages, relative to this installation. */
export const DEFAULT_UI_DIRECTORY = join(INSTALLATION_ROOT, 'dist', 'ui')

// The pages' own policy: scripts, styles, images and fetches from this origin only; no inline script or
// style, no eval, never framed, no <base> tricks, forms post only here. blob: images are the TOTP QR
// code (ui/src/components/QrCode.tsx): only this origin's own scripts can mint a blob: URL, so unlike
// data: no injected markup can use it.
const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ')

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
}

/** The languages the pages speak; the first is the fallback. */
export const UI_LANGUAGES = ['en', 'ko'] as const
type UiLanguage = (typeof UI_LANGUAGES)[number]

const PREFERENCE_COOKIE = 'gatehouse_lang'

interface UiBuild {
  shell: string
  assets: Map<string, { body: Buffer; type: string }>
}

/** Reads the built pages into memory, or undefined when they have not been built. */
async function loadBuild(directory: string): Promise<UiBuild | undefined> {
  let shell: string
  try {
    shell = await readFile(join(directory, 'index.html'), 'utf8')
  } catch {
    return undefined
  }
  const assets = new Map<string, { body: Buffer; type: string }>()
  for (const name of await readdir(join(directory, 'assets'))) {
    const type = CONTENT_TYPES[extname(name)]
    if (type) assets.set(name, { body: await readFile(join(directory, 'assets', name)), type })
  }
  return { shell, assets }
}

function isUiLanguage(value: string | undefined): value is UiLanguage {
  return (UI_LANGUAGES as readonly string[]).includes(value ?? '')
}

/**
 * The page language: the visitor's own choice (the preference cookie the language switch sets), else the
 * best match in Accept-Language by q-value, else English.
 */
export function chooseLanguage(
  cookieHeader: string | undefined,
  acceptLanguage: string | undefined,
): UiLanguage {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, value] = part.trim().split('=')
    if (name === PREFERENCE_COOKIE && isUiLanguage(value)) return value
  }
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((entry, index) => {
      const [tag = '', ...parameters] = entry.trim().split(';')
      const q = parameters.map((parameter) => /^\s*q=([0-9.]+)\s*$/.exec(parameter)?.[1]).find(Boolean)
      return { primary: tag.trim().toLowerCase().split('-')[0], q: q === undefined ? 1 : Number(q), index }
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
  return ranked.map((entry) => entry.primary).find(isUiLanguage) ?? UI_LANGUAGES[0]
}

const escapeAttribute = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

function notBuilt(reply: FastifyReply) {
  return reply
    .code(503)
    .type('text/plain; charset=utf-8')
    .send(
      "Gatehouse's pages are not built. Run `npm run build:ui` (npm ci runs it), then reload this page.\n",
    )
}

/**
 * Serves the hosted pages under /ui: the shell (with the page language and public settings filled in)
 * for every page path, and the content-hashed assets. The pages then call the public API like any client.
 * Until the build exists every page answers 503 with how to build it.
 */
export const uiRoutes: FastifyPluginAsync<{ directory: string }> = async (app, options) => {
  let build: UiBuild | undefined
  // Loaded on first use, and looked for again until it exists, so building after start needs no restart.
  const current = async () => (build ??= await loadBuild(options.directory))

  // Runs after the global security headers (this plugin is encapsulated), so the pages get their policy.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', UI_CSP)
  })

  app.get('/ui/assets/:name', { schema: { hide: true } }, async (request, reply) => {
    const loaded = await current()
    if (!loaded) return notBuilt(reply)
    // A lookup by exact name in what the build wrote: no path from the request ever reaches the disk.
    const asset = loaded.assets.get((request.params as { name: string }).name)
    if (!asset) return reply.code(404).send({ detail: 'Not Found', code: 'not_found' })
    // The name carries the content hash, so the file under a name never changes.
    return reply
      .header('cache-control', 'public, max-age=31536000, immutable')
      .type(asset.type)
      .send(asset.body)
  })

  const page = async (
    request: { headers: Record<string, string | string[] | undefined> },
    reply: FastifyReply,
  ) => {
    const loaded = await current()
    if (!loaded) return notBuilt(reply)
    const cookie = request.headers.cookie
    const accept = request.headers['accept-language']
    const language = chooseLanguage(
      typeof cookie === 'string' ? cookie : undefined,
      typeof accept === 'string' ? accept : undefined,
    )
    const html = loaded.shell
      .replace('{{lang}}', language)
      .replace('{{registration}}', escapeAttribute(app.services.config.registration))
      .replace('{{email}}', app.services.config.email.requireEmail ? 'required' : 'optional')
    return reply.header('vary', 'accept-language, cookie').type('text/html; charset=utf-8').send(html)
  }
  app.get('/ui', { schema: { hide: true } }, page)
  app.get('/ui/*', { schema: { hide: true } }, page)
}
