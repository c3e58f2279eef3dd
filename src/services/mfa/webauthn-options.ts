import type { WebauthnCredentialRow } from '../../db/webauthn.ts'
import type { ServiceContext } from '../context.ts'
import { issueChallenge, relyingParty, type ChallengePurpose } from './webauthn-challenges.ts'

/** Bytes from base64url text, as the WebAuthn library takes challenges and public keys. */
export function base64urlBytes(base64url: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(base64url, 'base64url'))
}

/**
 * What the options of both ceremonies (registration and login) start from: the relying party's id and
 * a fresh challenge, stored for the one response that may answer it.
 */
export async function ceremonyOptions(
  context: ServiceContext,
  purpose: ChallengePurpose,
  userId: string | null,
  binding?: string,
): Promise<{ rpID: string; challenge: Uint8Array<ArrayBuffer> }> {
  const challenge = await issueChallenge(context, purpose, userId, binding)
  return { rpID: relyingParty(context).id, challenge: base64urlBytes(challenge) }
}

/** A stored credential as options name it: to exclude it from registration, or to allow it at login. */
export function credentialDescriptor(
  credential: Pick<WebauthnCredentialRow, 'credential_id' | 'transports'>,
): {
  id: string
  transports: string[]
} {
  return { id: credential.credential_id, transports: JSON.parse(credential.transports) as string[] }
}
