import { Secret, TOTP } from 'otpauth'
import QRCode from 'qrcode'
import { randomBytes } from 'node:crypto'

// RFC 6238 with the parameters every authenticator app understands: HMAC-SHA-1, 6 digits, 30-second
// steps. The secret is 20 random bytes used as the raw HMAC key (RFC 4226 §4 asks for 160 bits);
// base32 is only how it travels in the otpauth:// URI, never what is keyed (better-auth#9944).

/** Seconds per time step. */
export const TOTP_PERIOD_SECONDS = 30
/** Digits of a code. */
export const TOTP_DIGITS = 6
/** Steps of clock drift accepted either side of now. */
export const TOTP_WINDOW = 1
const SECRET_BYTES = 20

/** A fresh TOTP key: 20 raw random bytes. */
export function newTotpKey(): Buffer {
  return randomBytes(SECRET_BYTES)
}

/** The base32 transport form of a key (what the person types if they cannot scan the QR code). */
export function base32Secret(key: Buffer): string {
  return new Secret({ buffer: new Uint8Array(key).buffer }).base32
}

function totp(key: Buffer, digits = TOTP_DIGITS, label = 'account', issuer = 'Gatehouse'): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits,
    period: TOTP_PERIOD_SECONDS,
    secret: new Secret({ buffer: new Uint8Array(key).buffer }),
  })
}

/** The code for a key at a time (epoch ms); `digits` 8 only for the RFC 6238 test vectors. */
export function totpCode(key: Buffer, timeMs: number, digits = TOTP_DIGITS): string {
  return totp(key, digits).generate({ timestamp: timeMs })
}

/** The time step a time falls in. */
export function totpStep(timeMs: number): number {
  return Math.floor(timeMs / 1000 / TOTP_PERIOD_SECONDS)
}

/**
 * The time step whose code `code` is, within ±TOTP_WINDOW steps of `timeMs`, or undefined. The
 * comparison inside otpauth is constant-time. The caller must still refuse steps already used.
 */
export function matchTotpStep(
  key: Buffer,
  code: string,
  timeMs: number,
  digits = TOTP_DIGITS,
): number | undefined {
  if (!new RegExp(`^[0-9]{${digits}}$`).test(code)) return undefined
  const delta = totp(key, digits).validate({ token: code, timestamp: timeMs, window: TOTP_WINDOW })
  return delta === null ? undefined : totpStep(timeMs) + delta
}

/** The otpauth:// URI (Key URI Format) an authenticator app reads from the QR code. */
export function otpauthUri(key: Buffer, issuer: string, accountName: string): string {
  return totp(key, TOTP_DIGITS, accountName, issuer).toString()
}

/** The URI as an SVG QR code (a string: the page shows it as an image, never as inline markup it trusts). */
export async function qrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
}
