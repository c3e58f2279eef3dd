import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto'
import type { ServiceContext } from '../context.ts'
import { randomToken } from '../random.ts'

// OWASP's "device cookies" (Slow Down Online Guessing Attacks with Device Cookies): after a successful
// login the client gets a token naming the account, which later attempts present. An attempt with a
// valid one for the account it names is counted on that device's own counter and is not refused by the
// account-wide block, so strangers guessing from elsewhere cannot lock the real user out.
//
// The token is stateless: an HMAC, under a key derived from GATEHOUSE_SECRET, over the user id, the
// issue time and a random nonce. No table, no write per login, and every instance sharing the secret
// checks it in microseconds before any database work. What a stateless token cannot do is be revoked
// one by one; that is acceptable because it grants nothing by itself (the password is still checked)
// and a device that misbehaves is throttled on its own counter. Rotating GATEHOUSE_SECRET voids them all.

/** How long a device token is honoured, and the cookie's Max-Age: 180 days. */
export const DEVICE_TOKEN_LIFETIME_SECONDS = 180 * 86_400

const VERSION = 'gd1'
const NONCE_BYTES = 16
const SHAPE = /^gd1\.([A-Za-z0-9_-]{1,64})\.(\d{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/
/** Longer header or cookie values are not even parsed. */
export const MAX_DEVICE_TOKEN_LENGTH = 200

/** What a valid device token says: whose device it is, and the key its failures are counted under. */
export interface DeviceClaims {
  userId: string
  /** Unique per token (its nonce), so each device has a counter of its own. */
  deviceId: string
}

// Derived once per configuration; the key never leaves this module.
const keysByConfig = new WeakMap<ServiceContext['config'], Buffer>()

function deviceKey(context: ServiceContext): Buffer {
  let key = keysByConfig.get(context.config)
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', context.config.secret, '', 'gatehouse/device-token/v1', 32))
    keysByConfig.set(context.config, key)
  }
  return key
}

function mac(context: ServiceContext, signed: string): Buffer {
  return createHmac('sha256', deviceKey(context)).update(signed).digest()
}

/** A new device token for a user who just proved their password. */
export function issueDeviceToken(context: ServiceContext, userId: string): string {
  const issuedAt = Math.floor(context.clock.now() / 1000)
  const signed = `${VERSION}.${userId}.${issuedAt}.${randomToken(NONCE_BYTES)}`
  return `${signed}.${mac(context, signed).toString('base64url')}`
}

/** Checks a presented device token; anything malformed, forged or expired is simply no device token. */
export function readDeviceToken(
  context: ServiceContext,
  token: string | undefined,
): DeviceClaims | undefined {
  if (token === undefined || token.length > MAX_DEVICE_TOKEN_LENGTH) return undefined
  const match = SHAPE.exec(token)
  if (!match) return undefined
  const [, userId = '', issuedAtText = '', nonce = '', presentedMac = ''] = match
  const expected = mac(context, `${VERSION}.${userId}.${issuedAtText}.${nonce}`)
  const presented = Buffer.from(presentedMac, 'base64url')
  // Canonical base64url only, so one token has exactly one spelling.
  if (presented.toString('base64url') !== presentedMac) return undefined
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return undefined
  const ageSeconds = Math.floor(context.clock.now() / 1000) - Number(issuedAtText)
  const skew = context.config.clockSkewSeconds
  if (ageSeconds < -skew || ageSeconds > DEVICE_TOKEN_LIFETIME_SECONDS) return undefined
  return { userId, deviceId: nonce }
}
