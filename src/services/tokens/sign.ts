import { SignJWT } from 'jose'
import type { KeyStore } from '../keys/key-store.ts'
import { newId } from '../random.ts'
import { ACCESS_TOKEN_TYPE, FIRST_PARTY_CLIENT_ID } from './claims.ts'

/** Everything an access token is about. */
export interface AccessTokenSubject {
  userId: string
  username: string
  role: string
  sessionId: string
  /** RFC 8176 methods the session's login proved; repeated in every token of the session. */
  amr: readonly string[]
  /** When that authentication happened, epoch milliseconds (the `auth_time` claim is in seconds). */
  authTime: number
}

/** Settings that shape every token. */
export interface TokenSettings {
  issuer: string
  audience: string
  accessTokenTtlSeconds: number
}

/** A signed access token and when it expires. */
export interface IssuedAccessToken {
  token: string
  expiresAt: number
  expiresInSeconds: number
}

/** Signs an RFC 9068 access token with the current signing key. */
export async function signAccessToken(
  keys: KeyStore,
  settings: TokenSettings,
  subject: AccessTokenSubject,
  nowMs: number,
): Promise<IssuedAccessToken> {
  const signingKey = keys.signingKey()
  const issuedAt = Math.floor(nowMs / 1000)
  const expiresAt = issuedAt + settings.accessTokenTtlSeconds
  const token = await new SignJWT({
    client_id: FIRST_PARTY_CLIENT_ID,
    sid: subject.sessionId,
    username: subject.username,
    role: subject.role,
    amr: [...subject.amr],
    auth_time: Math.floor(subject.authTime / 1000),
  })
    .setProtectedHeader({ alg: signingKey.algorithm, typ: ACCESS_TOKEN_TYPE, kid: signingKey.kid })
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setSubject(subject.userId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .setJti(newId())
    .sign(signingKey.privateKey)
  return { token, expiresAt, expiresInSeconds: settings.accessTokenTtlSeconds }
}
