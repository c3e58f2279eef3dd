import { Type } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../config.ts'
import { AppError } from '../errors.ts'
import { browserCsrfToken } from '../services/browser-session.ts'
import type { ServiceContext } from '../services/context.ts'
import type { TokenPair } from '../services/refresh-tokens.ts'
import { setDeviceCookie } from './device-cookie.ts'
import { tokenResponseBody, TokenResponse } from './schemas.ts'

/** The request header by which a browser asks for its refresh token in a cookie instead of the body. */
export const REFRESH_MODE_HEADER = 'gatehouse-refresh'
/** The request header that echoes the CSRF cookie (double submit). */
export const CSRF_HEADER = 'gatehouse-csrf'
/** The refresh cookie is sent only to the two requests that use it. */
export const REFRESH_COOKIE_PATH = '/session'

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]']

function isHttps(config: Config): boolean {
  return new URL(config.issuer).protocol === 'https:'
}

/**
 * Cookie names. On https they carry the browser-enforced prefixes: `__Host-` (Secure, Path=/, no Domain:
 * a sibling subdomain cannot overwrite it) for the CSRF cookie, `__Secure-` for the path-scoped refresh
 * cookie. Plain http (local development) cannot use prefixes.
 */
export function browserCookieNames(config: Config): { refresh: string; csrf: string } {
  return isHttps(config)
    ? { refresh: '__Secure-gatehouse_refresh', csrf: '__Host-gatehouse_csrf' }
    : { refresh: 'gatehouse_refresh', csrf: 'gatehouse_csrf' }
}

/**
 * The origins allowed to make cookie requests: the public URL's (GATEHOUSE_ISSUER). When that is a
 * loopback host, its loopback aliases too, so `npm start` works at 127.0.0.1 and at localhost alike.
 */
export function browserOrigins(config: Config): string[] {
  const url = new URL(config.issuer)
  if (!LOOPBACK_HOSTS.includes(url.hostname)) return [url.origin]
  return LOOPBACK_HOSTS.map((host) => `${url.protocol}//${host}${url.port ? `:${url.port}` : ''}`)
}

function csrfFailure(reason: string): AppError {
  return new AppError(403, 'csrf_failed', `The request failed the CSRF check: ${reason}`)
}

/**
 * The Origin check of every cookie request: the browser-set Origin must be our public origin, and when
 * the browser says where the request comes from (Sec-Fetch-Site), it must be this very origin. A form
 * on another site, or a page on another port of the same host, fails here.
 */
export function assertSameOrigin(request: FastifyRequest, config: Config): void {
  const origin = request.headers.origin
  if (origin === undefined || !browserOrigins(config).includes(origin)) throw csrfFailure('foreign origin')
  const site = request.headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin') throw csrfFailure('cross-site request')
}

/** True when the request asks for the refresh token in a cookie (`Gatehouse-Refresh: cookie`). */
export function wantsRefreshCookie(request: FastifyRequest): boolean {
  return request.headers[REFRESH_MODE_HEADER]?.toString().trim().toLowerCase() === 'cookie'
}

/**
 * onRequest hook for every endpoint that issues tokens: asking for the cookie is only allowed from our
 * own pages. (A cross-site form cannot send the header at all, and CORS refuses it to other origins.)
 */
export function guardRefreshCookieMode(config: Config) {
  return async (request: FastifyRequest): Promise<void> => {
    if (wantsRefreshCookie(request)) assertSameOrigin(request, config)
  }
}

/** /login's 200 body: the RFC 6749 token response, without refresh_token when it went into the cookie. */
export const IssuedTokenResponse = Type.Object({
  ...TokenResponse.properties,
  refresh_token: Type.Optional(TokenResponse.properties.refresh_token),
})

/** Sets the refresh cookie (HttpOnly, SameSite=Strict, path-scoped) and the CSRF cookie the page reads. */
export function setBrowserSessionCookies(
  reply: FastifyReply,
  context: ServiceContext,
  pair: TokenPair,
): void {
  const { config } = context
  const names = browserCookieNames(config)
  const secure = isHttps(config)
  reply.setCookie(names.refresh, pair.refreshToken, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: REFRESH_COOKIE_PATH,
    maxAge: config.refreshTokenIdleTtlSeconds,
  })
  reply.setCookie(names.csrf, browserCsrfToken(context, pair.sessionId), {
    httpOnly: false,
    sameSite: 'strict',
    secure,
    path: '/',
    maxAge: config.refreshTokenAbsoluteTtlSeconds,
  })
}

/** Expires both cookies (after logout, or when the refresh cookie no longer works). */
export function clearBrowserSessionCookies(reply: FastifyReply, config: Config): void {
  const names = browserCookieNames(config)
  const secure = isHttps(config)
  reply.clearCookie(names.refresh, { httpOnly: true, sameSite: 'strict', secure, path: REFRESH_COOKIE_PATH })
  reply.clearCookie(names.csrf, { sameSite: 'strict', secure, path: '/' })
}

/**
 * The one reply for every endpoint that issues tokens: RFC 6749 §5.1 headers, the device cookie (OWASP
 * device cookies, issue 16), and the refresh token in the body, or (when the page asked for it) in the HttpOnly cookie and not in the body at all.
 */
export function sendTokens(
  request: FastifyRequest,
  reply: FastifyReply,
  context: ServiceContext,
  pair: TokenPair,
): ReturnType<typeof tokenResponseBody> | Omit<ReturnType<typeof tokenResponseBody>, 'refresh_token'> {
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
  if (pair.deviceToken !== undefined) setDeviceCookie(reply, pair.deviceToken, context.config.issuer)
  const body = tokenResponseBody(pair)
  if (!wantsRefreshCookie(request)) return body
  setBrowserSessionCookies(reply, context, pair)
  // The page's script never sees either long-lived token: both travel only in HttpOnly cookies.
  const { refresh_token: _inTheCookie, device_token: _alsoInACookie, ...rest } = body
  return rest
}
