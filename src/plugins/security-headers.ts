import cors from '@fastify/cors'
import helmet from '@fastify/helmet'
import type { FastifyInstance, HTTPMethods } from 'fastify'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    /** The methods some route answers at this path; empty when no route matches it. Feeds 405 + Allow. */
    allowedMethods(path: string): string[]
  }
}

// The API serves JSON only: nothing may load, run or frame it.
const API_CSP = "default-src 'none'; frame-ancestors 'none'"
// What Swagger UI needs and no more: its own scripts and styles, its logo and icons (some as data:
// URLs), and fetches of /docs/json and the API it documents. It has no inline scripts.
const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // The one <style> element Swagger UI's bundle injects, allowed by its hash rather than 'unsafe-inline'
  // (the browser test in test/e2e fails with the violation if a Swagger UI upgrade changes it).
  "style-src 'self' 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ')

function isDocsPath(url: string): boolean {
  const path = url.split('?')[0] ?? ''
  return path === '/docs' || path.startsWith('/docs/')
}

function routePattern(url: string): RegExp {
  const escaped = url
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*'
      if (segment.startsWith(':')) return '[^/]+'
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    })
    .join('/')
  // ignoreTrailingSlash is on, so /login/ is /login.
  return new RegExp(`^${escaped}/?$`)
}

/**
 * Security headers on every response (helmet), CORS for the configured origins only, and the route
 * table behind 405 + Allow. Registered before the routes, so its onRoute hook sees all of them.
 */
export const securityHeadersPlugin = fp(
  async (app: FastifyInstance, options: { corsOrigins: readonly string[] }) => {
    await app.register(helmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      },
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
    })
    app.addHook('onSend', async (request, reply) => {
      reply.header('content-security-policy', isDocsPath(request.url) ? DOCS_CSP : API_CSP)
      // Nothing here sets it, but a reverse proxy or a future plugin might; it only helps attackers.
      reply.removeHeader('x-powered-by')
    })

    // Exact origins only: @fastify/cors echoes a request's Origin solely when it is on this list, and
    // with no list CORS is off (no Access-Control-* headers at all). Bearer tokens, so no credentials.
    await app.register(cors, {
      origin: options.corsOrigins.length > 0 ? [...options.corsOrigins] : false,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'gatehouse-device'],
      exposedHeaders: ['retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'],
      credentials: false,
      maxAge: 600,
      strictPreflight: true,
    })

    const routes: Array<{ pattern: RegExp; methods: HTTPMethods[] }> = []
    app.addHook('onRoute', (route) => {
      // CORS's catch-all OPTIONS route would make every path look like it exists.
      if (route.url === '*' || route.url === '/*') return
      const methods = Array.isArray(route.method) ? route.method : [route.method]
      routes.push({ pattern: routePattern(route.url), methods })
    })
    app.decorate('allowedMethods', (path: string) => {
      const allowed = new Set<string>()
      for (const route of routes)
        if (route.pattern.test(path)) for (const method of route.methods) allowed.add(method)
      return [...allowed].sort()
    })
  },
)
