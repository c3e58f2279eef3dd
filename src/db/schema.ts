import type { Generated, Kysely, Transaction } from 'kysely'

// Every time is integer epoch milliseconds (bigint on PostgreSQL, INTEGER on SQLite), made in code
// from the injected clock, so both engines store and compare the same numbers.

/**
 * A user account. `username_canonical` (NFKC + full case folding) and `username_skeleton` (the UTS #39
 * confusable skeleton of the canonical name) each carry a unique index.
 */
export interface UsersTable {
  id: string
  username: string
  username_canonical: string
  username_skeleton: string
  password_hash: string
  role: string
  created_at: number
  updated_at: number
  disabled_at: number | null
  last_login_at: number | null
  /** The address as typed, or null. */
  email: string | null
  /** The normalized address (see services/email/addresses.ts); unique among verified addresses. */
  email_key: string | null
  /** 1 once the address is verified, else 0 (an integer on both engines). */
  email_verified: Generated<number>
  email_verified_at: number | null
}

/** A login session; its id is the `sid` claim of every access token issued for it. */
export interface SessionsTable {
  id: string
  user_id: string
  created_at: number
  last_used_at: number
  expires_at: number
  revoked_at: number | null
  revoked_reason: string | null
  user_agent: string | null
  ip: string | null
  /** RFC 8176 methods the login proved, space-separated; null on sessions older than second factors. */
  amr: string | null
  /** When the login's authentication happened (epoch ms); null on older sessions (read as created_at). */
  auth_time: number | null
}

/** One refresh token of a session's rotation chain; only its SHA-256 is stored. */
export interface RefreshTokensTable {
  id: string
  session_id: string
  token_hash: string
  parent_id: string | null
  created_at: number
  idle_expires_at: number
  rotated_at: number | null
  grace_response_sealed: string | null
}

/** One append-only audit record. `details` is JSON text and never holds a secret. */
export interface AuditEventsTable {
  id: string
  at: number
  actor_user_id: string | null
  target_user_id: string | null
  action: string
  outcome: string
  ip: string | null
  user_agent: string | null
  request_id: string | null
  session_id: string | null
  details: string | null
}

/** A time-limited claim on a cluster-wide job, so exactly one instance does it. */
export interface LeasesTable {
  name: string
  holder: string
  expires_at: number
}

/** A signing key. Its state (next, active, retired) follows from its times. */
export interface SigningKeysTable {
  kid: string
  algorithm: string
  public_jwk: string
  private_jwk_encrypted: string
  created_at: number
  not_before: number
  retired_at: number | null
  published_until: number | null
}

/** A throttle counter (rate-limiter-flexible's layout) when counters live in the application database. */
export interface ThrottleCountersTable {
  key: string
  points: number
  /** Epoch milliseconds after which the counter is forgotten; null never. */
  expire: number | null
}

/**
 * A one-time secret (email link token or code, reset token, mfa_token…): only its hash is stored, it is
 * bound to a user, a purpose and an optional binding string, and it is consumed at most once.
 */
export interface OneTimeSecretsTable {
  id: string
  user_id: string
  purpose: string
  /** What the secret is bound to besides the user (an email address, a password digest); '' for nothing. */
  binding: string
  token_hash: string
  /** Keyed hash of the short code, when the secret has one. */
  code_hash: string | null
  failed_attempts: number
  max_attempts: number
  created_at: number
  expires_at: number
  consumed_at: number | null
}

/**
 * One queued email. `sealed` (SecretBox) holds the recipient, subject and bodies; `kind` names the
 * template for logs. A sender claims a row (`claimed_by` until `claimed_until`) before sending it.
 */
export interface EmailOutboxTable {
  id: string
  kind: string
  /** The account the message is about, for the audit record of its delivery. */
  user_id: string | null
  sealed: string
  created_at: number
  attempts: number
  next_attempt_at: number
  claimed_by: string | null
  claimed_until: number | null
  sent_at: number | null
  failed_at: number | null
  /** The SMTP reply code or error name of the last failure; never the message or an address. */
  last_error: string | null
}

/** A TOTP factor (RFC 6238): the secret sealed like private keys; active once confirmed. */
export interface TotpFactorsTable {
  id: string
  user_id: string
  secret_sealed: string
  created_at: number
  confirmed_at: number | null
  /** The last accepted time step; only later steps are accepted (replay protection). */
  last_used_step: number | null
}

/** A recovery code: only its SHA-256 is stored, and it is used at most once. */
export interface RecoveryCodesTable {
  id: string
  user_id: string
  code_hash: string
  created_at: number
  used_at: number | null
}

/** A registered WebAuthn credential (passkey or security key). Binary fields are base64url. */
export interface WebauthnCredentialsTable {
  id: string
  user_id: string
  credential_id: string
  public_key: string
  counter: number
  /** JSON array of the authenticator's transports. */
  transports: string
  device_type: string
  /** 1 when the credential is backed up (synced); 0 otherwise. */
  backed_up: number
  name: string
  created_at: number
  last_used_at: number | null
}

/** A WebAuthn challenge: hashed, expiring, consumed once; the user is null for a passwordless login. */
export interface WebauthnChallengesTable {
  id: string
  user_id: string | null
  purpose: string
  challenge_hash: string
  binding: string
  created_at: number
  expires_at: number
  consumed_at: number | null
}

/** The whole database as Kysely sees it. */
export interface Database {
  users: UsersTable
  sessions: SessionsTable
  signing_keys: SigningKeysTable
  refresh_tokens: RefreshTokensTable
  audit_events: AuditEventsTable
  leases: LeasesTable
  throttle_counters: ThrottleCountersTable
  one_time_secrets: OneTimeSecretsTable
  email_outbox: EmailOutboxTable
  totp_factors: TotpFactorsTable
  recovery_codes: RecoveryCodesTable
  webauthn_credentials: WebauthnCredentialsTable
  webauthn_challenges: WebauthnChallengesTable
}

/** A connection or an open transaction: repository functions accept either. */
export type Executor = Kysely<Database> | Transaction<Database>

/** Which engine a Kysely instance talks to, for the few places where SQL differs. */
export type Dialect = 'sqlite' | 'postgres'
