import { apiRequest } from './client.ts'
import type { FactorSummary, Passkey, TokenResponse, TotpEnrollment } from './types.ts'

// Issue 12's second-factor endpoints. Every token-issuing call asks for the refresh token in the HttpOnly
// cookie, as the password step does.

const auth = { authenticated: true } as const
const cookieMode = { 'gatehouse-refresh': 'cookie' } as const

/** The browser's WebAuthn options and responses travel as JSON the pages do not look into. */
export type WebAuthnJson = Record<string, unknown>

/** POST /login/mfa with the TOTP code or a recovery code. */
export function logInWithFactor(
  mfaToken: string,
  proof: { code: string } | { recovery_code: string },
): Promise<TokenResponse> {
  return apiRequest('POST', '/login/mfa', { body: { mfa_token: mfaToken, ...proof }, headers: cookieMode })
}

/**
 * The options an options endpoint answered with. The creation and request options are the body itself,
 * or, when the server adds bookkeeping beside them, its `options` (or `publicKey`) member.
 */
function unwrapOptions(body: WebAuthnJson): WebAuthnJson {
  for (const key of ['options', 'publicKey']) {
    const inner = body[key]
    if (typeof inner === 'object' && inner !== null && 'challenge' in inner) return inner
  }
  return body
}

/** POST /webauthn/login/options: a challenge, for a second factor (with the mfa_token) or passwordless. */
export async function passkeyLoginOptions(mfaToken?: string): Promise<WebAuthnJson> {
  const body = mfaToken === undefined ? {} : { mfa_token: mfaToken }
  return unwrapOptions(await apiRequest<WebAuthnJson>('POST', '/webauthn/login/options', { body }))
}

/** POST /webauthn/login with the authenticator's answer. */
export function logInWithPasskey(response: WebAuthnJson, mfaToken?: string): Promise<TokenResponse> {
  const body = mfaToken === undefined ? { response } : { response, mfa_token: mfaToken }
  return apiRequest('POST', '/webauthn/login', { body, headers: cookieMode })
}

/** GET /mfa, read into one shape whatever extra fields the server adds. */
export async function listFactors(accessToken?: string): Promise<FactorSummary> {
  const options = accessToken === undefined ? auth : { accessToken }
  return readFactors(await apiRequest<Record<string, unknown>>('GET', '/mfa', options))
}

/**
 * Reads a factor listing: `{totp, recovery_codes_remaining, passkeys}` or a list of `{type, ...}` items.
 * Admin views of a user carry the same listing.
 */
export function readFactors(body: unknown): FactorSummary {
  const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>
  const items = Array.isArray(record.factors) ? (record.factors as Array<Record<string, unknown>>) : []
  const totpField = record.totp
  const totp =
    typeof totpField === 'boolean'
      ? totpField
      : typeof totpField === 'object' && totpField !== null
        ? (totpField as { enabled?: unknown }).enabled !== false
        : items.some((item) => item.type === 'totp')
  const remaining =
    record.recovery_codes_remaining ?? (record.recovery_codes as { remaining?: unknown })?.remaining
  const passkeyList =
    record.passkeys ??
    record.webauthn ??
    record.credentials ??
    items.filter((item) => item.type === 'webauthn')
  return {
    totp,
    recovery_codes_remaining: typeof remaining === 'number' ? remaining : 0,
    passkeys: Array.isArray(passkeyList) ? (passkeyList as Passkey[]) : [],
  }
}

/** POST /mfa/totp: a new secret, inactive until confirmed. */
export function startTotp(password: string): Promise<TotpEnrollment> {
  return apiRequest('POST', '/mfa/totp', { ...auth, body: { password } })
}

/** POST /mfa/totp/confirm: activates TOTP; the ten recovery codes come back this once. */
export function confirmTotp(code: string): Promise<{ recovery_codes: string[] }> {
  return apiRequest('POST', '/mfa/totp/confirm', { ...auth, body: { code } })
}

/** POST /login/mfa/enroll/totp: TOTP enrollment with the mfa_token of a 403 mfa_enrollment_required. */
export function startEnrollment(mfaToken: string): Promise<TotpEnrollment> {
  return apiRequest('POST', '/login/mfa/enroll/totp', { body: { mfa_token: mfaToken } })
}

/** POST /login/mfa/enroll/totp/confirm: turns TOTP on and signs in; the recovery codes come this once. */
export function confirmEnrollment(
  mfaToken: string,
  code: string,
): Promise<TokenResponse & { recovery_codes: string[] }> {
  return apiRequest('POST', '/login/mfa/enroll/totp/confirm', {
    body: { mfa_token: mfaToken, code },
    headers: cookieMode,
  })
}

/** DELETE /mfa/totp: turns TOTP off and signs out the other sessions. */
export async function disableTotp(password: string, code: string): Promise<void> {
  await apiRequest('DELETE', '/mfa/totp', { ...auth, body: { password, code } })
}

/** POST /mfa/recovery-codes: ten new codes, the old ones dead (needs a recent sign-in). */
export function regenerateRecoveryCodes(): Promise<{ recovery_codes: string[] }> {
  return apiRequest('POST', '/mfa/recovery-codes', auth)
}

/** POST /webauthn/register/options: the creation options for a new passkey. */
export async function passkeyRegistrationOptions(): Promise<WebAuthnJson> {
  return unwrapOptions(await apiRequest<WebAuthnJson>('POST', '/webauthn/register/options', auth))
}

/**
 * POST /webauthn/register: stores the new passkey under its name. When it is the account's first second
 * factor, the answer also carries the ten recovery codes, shown this once.
 */
export function registerPasskey(
  name: string,
  response: WebAuthnJson,
): Promise<Passkey & { recovery_codes?: string[] }> {
  return apiRequest('POST', '/webauthn/register', { ...auth, body: { name, response } })
}

/** GET /webauthn/credentials. */
export async function listPasskeys(): Promise<Passkey[]> {
  const body = await apiRequest<unknown>('GET', '/webauthn/credentials', auth)
  if (Array.isArray(body)) return body as Passkey[]
  const items =
    (body as { items?: unknown; credentials?: unknown }).items ??
    (body as { credentials?: unknown }).credentials
  return Array.isArray(items) ? (items as Passkey[]) : []
}

/** DELETE /webauthn/credentials/{id}. */
export async function removePasskey(id: string): Promise<void> {
  await apiRequest('DELETE', `/webauthn/credentials/${encodeURIComponent(id)}`, auth)
}
