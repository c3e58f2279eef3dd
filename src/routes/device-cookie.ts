import type { FastifyReply, FastifyRequest } from 'fastify'
import { DEVICE_TOKEN_LIFETIME_SECONDS, MAX_DEVICE_TOKEN_LENGTH } from '../services/login/device-tokens.ts'

/** The browser's copy of the device token (OWASP device cookies). */
export const DEVICE_COOKIE = 'gatehouse_device'
/** Where API clients present the device token they got as `device_token`. */
export const DEVICE_HEADER = 'gatehouse-device'
// Only /login needs it: API clients use the header, and no other path should ever receive it.
const DEVICE_COOKIE_PATH = '/login'

/** The device token a login request presents: the Gatehouse-Device header, else the cookie. Unchecked. */
export function presentedDeviceToken(request: FastifyRequest): string | undefined {
  const header = request.headers[DEVICE_HEADER]
  const token = typeof header === 'string' ? header.trim() : request.cookies[DEVICE_COOKIE]
  return token !== undefined && token !== '' && token.length <= MAX_DEVICE_TOKEN_LENGTH ? token : undefined
}

/**
 * Sets the device cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's form sends
 * it), scoped to /login, and Secure when the server's public URL is https.
 */
export function setDeviceCookie(reply: FastifyReply, token: string, publicUrl: string): void {
  reply.setCookie(DEVICE_COOKIE, token, {
    maxAge: DEVICE_TOKEN_LIFETIME_SECONDS,
    path: DEVICE_COOKIE_PATH,
    httpOnly: true,
    sameSite: 'strict',
    secure: publicUrl.startsWith('https:'),
  })
}
