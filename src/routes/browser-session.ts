import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { AppError, unauthorized } from '../errors.ts'
import { endBrowserSession, refreshBrowserSession } from '../services/browser-session.ts'
import {
  assertSameOrigin,
  browserCookieNames,
  clearBrowserSessionCookies,
  CSRF_HEADER,
  setBrowserSessionCookies,
} from './browser-cookies.ts'
import { rateLimitSink, requestMeta } from './request-meta.ts'
import { errorResponses, NoContent } from './schemas.ts'

const AccessTokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer({ description: 'Seconds until the access token expires' }),
})

/**
 * The hosted pages' session: POST /session/refresh and POST /session/logout, the only requests
 * authenticated by a cookie. Each must come from our own origin (Origin, Sec-Fetch-Site) and echo the
 * CSRF cookie in the Gatehouse-CSRF header, and that token must fit the refresh token's session; on top,
 * the cookies are SameSite=Strict. They then run the same refresh grant and logout as /token and /logout.
 */
export const browserSessionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { config } = app.services
  const names = browserCookieNames(config)

  app.addHook('onRequest', async (request) => assertSameOrigin(request, config))

  /** The refresh cookie and the matching CSRF header, or the reason the request is refused. */
  const credentials = (request: FastifyRequest, reply: FastifyReply) => {
    const refreshToken = request.cookies[names.refresh]
    if (!refreshToken) {
      clearBrowserSessionCookies(reply, config)
      throw unauthorized('not_authenticated', 'No browser session; sign in again')
    }
    const header = request.headers[CSRF_HEADER]
    const csrfToken = typeof header === 'string' ? header : ''
    if (csrfToken === '' || csrfToken !== request.cookies[names.csrf]) {
      throw new AppError(403, 'csrf_failed', 'The request failed the CSRF check: missing or mismatched token')
    }
    return { refreshToken, csrfToken, meta: requestMeta(request) }
  }

  app.post(
    '/session/refresh',
    {
      schema: {
        tags: ['sessions'],
        summary: 'The hosted pages: a new access token from the refresh cookie (rotates the cookie)',
        response: { 200: AccessTokenResponse, ...errorResponses(401, 403, 429) },
      },
    },
    async (request, reply) => {
      const input = credentials(request, reply)
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
      try {
        const pair = await refreshBrowserSession(app.services, {
          ...input,
          onRateLimit: rateLimitSink(reply),
        })
        setBrowserSessionCookies(reply, app.services, pair)
        return {
          access_token: pair.access.token,
          token_type: 'bearer' as const,
          expires_in: pair.access.expiresInSeconds,
        }
      } catch (error) {
        // A refresh cookie that no longer works is dropped, so the page stops offering it.
        if (error instanceof AppError && error.statusCode === 401) clearBrowserSessionCookies(reply, config)
        throw error
      }
    },
  )

  app.post(
    '/session/logout',
    {
      schema: {
        tags: ['sessions'],
        summary: 'The hosted pages: end the session of the refresh cookie and drop the cookies',
        response: { 204: NoContent, ...errorResponses(403) },
      },
    },
    async (request, reply) => {
      if (request.cookies[names.refresh]) await endBrowserSession(app.services, credentials(request, reply))
      clearBrowserSessionCookies(reply, config)
      return reply.code(204).send(null)
    },
  )
}
