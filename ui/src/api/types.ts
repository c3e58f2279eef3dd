// The shapes Gatehouse's public API answers with (README "Endpoints" and "Administration").

/** GET /profile. */
export interface Profile {
  id: string
  username: string
  role: string
  /** Absent on a server without issue 11's email support; null when the account has no address. */
  email?: string | null
  email_verified?: boolean
  created_at: string
  updated_at: string
}

/** /login's token response (RFC 6749 §5.1); the refresh token is in the cookie, not here. */
export interface TokenResponse {
  access_token: string
  token_type: 'bearer'
  expires_in: number
}

/** One of the caller's sessions (GET /sessions). */
export interface OwnSession {
  id: string
  created_at: string
  last_used_at: string
  user_agent: string | null
  ip: string | null
  current: boolean
}

/** A user as admins see them. */
export interface AdminUser {
  id: string
  username: string
  role: string
  disabled: boolean
  disabled_at: string | null
  created_at: string
  updated_at: string
  last_login_at: string | null
}

/** GET /admin/users/{id}. */
export interface AdminUserDetail extends AdminUser {
  session_count: number
  email?: string | null
  email_verified?: boolean
  /** The user's second factors (issue 12); absent on a server without them. */
  mfa?: FactorSummary
}

/** One passkey (GET /webauthn/credentials). */
export interface Passkey {
  id: string
  name: string
  created_at: string
  last_used_at: string | null
}

/** GET /mfa, and `mfa` in an admin's view of a user: which second factors an account has. */
export interface FactorSummary {
  totp: boolean
  recovery_codes_remaining: number
  passkeys: Passkey[]
}

/** POST /mfa/totp: a secret to enroll, inactive until confirmed with a code. */
export interface TotpEnrollment {
  secret: string
  otpauth_uri: string
  qr_svg: string
}

/** The second-factor ways a 403 mfa_required offers. */
export type SecondFactorMethod = 'totp' | 'recovery_code' | 'webauthn'

/** A user's session as admins see it. */
export interface AdminSession {
  id: string
  created_at: string
  last_used_at: string
  expires_at: string
  user_agent: string | null
  ip: string | null
}

/** One page of a cursor-paginated list. */
export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

/** One audit log event. */
export interface AuditEvent {
  id: string
  at: string
  action: string
  outcome: string
  actor_user_id: string | null
  target_user_id: string | null
  session_id: string | null
  ip: string | null
  user_agent: string | null
  request_id: string | null
  details: Record<string, unknown> | null
}

/** Where a signing key is in its life. */
export type KeyState = 'next' | 'active' | 'retiring' | 'retired' | 'expired'

/** One signing key (GET /admin/keys). */
export interface SigningKey {
  kid: string
  algorithm: string
  state: KeyState
  created_at: string
  signs_from: string
  retired_at: string | null
  published_until: string | null
}

/** GET /admin/keys. */
export interface SigningKeyList {
  algorithm: string
  rotation_interval_seconds: number
  items: SigningKey[]
}
