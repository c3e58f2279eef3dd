/** Every machine-readable error code the API can answer with. Clients may switch on these. */
export type ErrorCode =
  | 'validation_failed'
  | 'invalid_json'
  | 'body_too_large'
  | 'unsupported_media_type'
  | 'method_not_allowed'
  | 'not_found'
  | 'invalid_credentials'
  | 'not_authenticated'
  | 'invalid_token'
  | 'forbidden'
  | 'username_taken'
  | 'weak_password'
  | 'last_admin'
  | 'invalid_username'
  | 'database_unavailable'
  | 'server_busy'
  | 'too_many_requests'
  | 'internal_error'
  | 'registration_closed'
  | 'key_rotation_unavailable'
  | 'key_already_retired'
  | 'csrf_failed'
  | 'email_not_verified'
  | 'email_taken'
  | 'email_missing'
  | 'invalid_or_expired_token'
  | 'mfa_required'
  | 'mfa_enrollment_required'
  | 'invalid_mfa_token'
  | 'reauthentication_required'
  | 'mfa_already_enabled'
  | 'mfa_not_enabled'
  | 'webauthn_failed'
  | 'not_ready'
  | 'shutting_down'

/** An error that maps to one HTTP response with a stable `code`; its cause is logged, never sent. */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    readonly detail: string,
    readonly headers: Readonly<Record<string, string>> = {},
    options?: { cause?: unknown },
  ) {
    super(detail, options)
    this.name = 'AppError'
  }
}

/** RFC 6750 §3: a 401 always names the Bearer scheme, and says invalid_token when a token was sent. */
export function unauthorized(code: 'not_authenticated' | 'invalid_token', detail: string): AppError {
  const challenge = code === 'invalid_token' ? 'Bearer error="invalid_token"' : 'Bearer'
  return new AppError(401, code, detail, { 'www-authenticate': challenge })
}

/** The one answer for every failed login, so nothing reveals which usernames exist. */
export function invalidCredentials(): AppError {
  return new AppError(401, 'invalid_credentials', 'Incorrect username or password', {
    'www-authenticate': 'Bearer',
  })
}

/** Raised by the data layer when the database cannot be reached or timed out. */
export class DatabaseUnavailableError extends AppError {
  constructor(cause: unknown) {
    super(
      503,
      'database_unavailable',
      'The database is unavailable; try again shortly',
      { 'retry-after': '5' },
      {
        cause,
      },
    )
    this.name = 'DatabaseUnavailableError'
  }
}

/** Raised when the password-hashing queue is full, so a login flood cannot grow memory without bound. */
export class ServerBusyError extends AppError {
  constructor() {
    super(503, 'server_busy', 'The server is busy; try again shortly', { 'retry-after': '1' })
    this.name = 'ServerBusyError'
  }
}

/** RFC 6749 §5.2 error for OAuth endpoints, rendered as `{error, error_description}`. */
export class OAuthError extends Error {
  constructor(
    readonly error:
      | 'invalid_request'
      | 'invalid_grant'
      | 'unsupported_grant_type'
      | 'invalid_scope'
      | 'invalid_client'
      | 'mfa_required'
      | 'mfa_enrollment_required',
    readonly description: string,
    readonly statusCode = error === 'invalid_client' ? 401 : 400,
    readonly headers: Readonly<Record<string, string>> = {},
    /** Extra members of the error body (the `mfa_token` of an mfa_required answer). */
    readonly extra: Readonly<Record<string, string>> = {},
  ) {
    super(description)
    this.name = 'OAuthError'
  }
}
