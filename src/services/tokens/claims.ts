/** The claims of a Gatehouse access token (RFC 9068), after verification. */
export interface AccessTokenClaims {
  iss: string
  aud: string | string[]
  sub: string
  client_id: string
  iat: number
  exp: number
  nbf?: number
  jti: string
  sid: string
  scope?: string
  /** RFC 8176 authentication methods of the session's login (absent on tokens issued before issue 12). */
  amr?: string[]
  /** OIDC `auth_time`: when the session's login authenticated, in seconds. */
  auth_time?: number
  /** Convenience copies for clients; our own endpoints read the database instead. */
  username?: string
  role?: string
}

/** The client id first-party logins (`/login`, the password grant) are issued to. */
export const FIRST_PARTY_CLIENT_ID = 'gatehouse'

/** RFC 9068 §2.1: the media type that marks a JWT as an access token. */
export const ACCESS_TOKEN_TYPE = 'at+jwt'
