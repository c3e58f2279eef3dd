import {
  generateRegistrationOptions,
  verifyRegistrationResponse,
  type PublicKeyCredentialCreationOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server'
import { AppError } from '../../errors.ts'
import {
  deleteWebauthnCredential,
  insertWebauthnCredential,
  listWebauthnCredentials,
} from '../../db/webauthn.ts'
import type { AccountCaller } from '../account.ts'
import type { ServiceContext } from '../context.ts'
import { newId } from '../random.ts'
import { conflictOnUniqueViolation } from '../unique-conflict.ts'
import { endSessionsAfterFactorAdded, endSessionsAfterFactorRemoved } from './factor-change.ts'
import { secondFactorMethods } from './factors.ts'
import { generateRecoveryCodes } from './recovery-codes.ts'
import { requireStepUp, type StepUpProof } from './step-up.ts'
import { challengeOf, consumeChallenge, relyingParty, webauthnFailed } from './webauthn-challenges.ts'
import { ceremonyOptions, credentialDescriptor } from './webauthn-options.ts'

/** A registered passkey as the owner sees it (never the public key or counter). */
export interface CredentialView {
  id: string
  name: string
  device_type: string
  backed_up: boolean
  created_at: string
  last_used_at: string | null
}

/** The WebAuthn user handle of an account: its immutable id, never the name (no personal data). */
export function userHandle(userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(userId, 'utf8'))
}

/** POST /webauthn/register/options: creation options for navigator.credentials.create (step-up first). */
export async function registrationOptions(
  context: ServiceContext,
  caller: AccountCaller,
  proof: StepUpProof,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  await requireStepUp(context, caller, proof)
  const existing = await listWebauthnCredentials(context.db, caller.userId)
  const ceremony = await ceremonyOptions(context, 'webauthn_register', caller.userId, caller.sessionId)
  return generateRegistrationOptions({
    ...ceremony,
    rpName: relyingParty(context).name,
    userName: caller.username,
    userID: userHandle(caller.userId),
    attestationType: 'none',
    // The same authenticator is not registered twice.
    excludeCredentials: existing.map(credentialDescriptor),
    // A discoverable credential with user verification can also sign in without the password.
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  })
}

/**
 * POST /webauthn/register: checks the browser's response against the challenge this session was given
 * (used once), the origin and the RP id, and stores the credential. Adding a factor revokes the
 * account's other sessions; the first factor also brings ten recovery codes, returned once.
 */
export async function registerCredential(
  context: ServiceContext,
  caller: AccountCaller,
  input: { name: string; response: RegistrationResponseJSON },
): Promise<CredentialView & { recovery_codes?: string[] }> {
  const challenge = await consumeChallenge(
    context,
    'webauthn_register',
    challengeOf(input.response.response.clientDataJSON),
  )
  if (challenge.user_id !== caller.userId || challenge.binding !== caller.sessionId) throw webauthnFailed()
  const party = relyingParty(context)
  const verification = await verifyRegistrationResponse({
    response: input.response,
    expectedChallenge: challengeOf(input.response.response.clientDataJSON),
    expectedOrigin: party.origin,
    expectedRPID: party.id,
    requireUserVerification: false,
  }).catch((error: unknown) => {
    context.log.info({ err: error }, 'webauthn registration refused')
    throw webauthnFailed()
  })
  if (!verification.verified) throw webauthnFailed()
  const info = verification.registrationInfo
  const now = context.clock.now()
  const id = newId()
  const recoveryCodes = await conflictOnUniqueViolation(passkeyRegistered, () =>
    context.db.transaction().execute(async (trx) => {
      const firstFactor = (await secondFactorMethods(trx, caller.userId)).length === 0
      await insertWebauthnCredential(trx, {
        id,
        user_id: caller.userId,
        credential_id: info.credential.id,
        public_key: Buffer.from(info.credential.publicKey).toString('base64url'),
        counter: info.credential.counter,
        transports: JSON.stringify(info.credential.transports ?? []),
        device_type: info.credentialDeviceType,
        backed_up: info.credentialBackedUp ? 1 : 0,
        name: input.name,
        created_at: now,
        last_used_at: null,
      })
      await endSessionsAfterFactorAdded(trx, now, caller, {
        action: 'mfa.webauthn.register',
        details: { credential: id, device_type: info.credentialDeviceType },
      })
      return firstFactor ? generateRecoveryCodes(trx, caller.userId, now) : undefined
    }),
  )
  return {
    id,
    name: input.name,
    device_type: info.credentialDeviceType,
    backed_up: info.credentialBackedUp,
    created_at: new Date(now).toISOString(),
    last_used_at: null,
    ...(recoveryCodes === undefined ? {} : { recovery_codes: recoveryCodes }),
  }
}

function passkeyRegistered(): AppError {
  return new AppError(409, 'mfa_already_enabled', 'This passkey is already registered')
}

/** GET /webauthn/credentials. */
export async function listCredentials(context: ServiceContext, userId: string): Promise<CredentialView[]> {
  const rows = await listWebauthnCredentials(context.db, userId)
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    device_type: row.device_type,
    backed_up: row.backed_up === 1,
    created_at: new Date(row.created_at).toISOString(),
    last_used_at: row.last_used_at === null ? null : new Date(row.last_used_at).toISOString(),
  }))
}

/**
 * DELETE /webauthn/credentials/{id}: removing a factor needs step-up. Other sessions are revoked, and
 * the recovery codes go with the last factor. 404 for a credential that is not the caller's.
 */
export async function removeCredential(
  context: ServiceContext,
  caller: AccountCaller,
  id: string,
  proof: StepUpProof,
): Promise<void> {
  await requireStepUp(context, caller, proof)
  await context.db.transaction().execute(async (trx) => {
    if (!(await deleteWebauthnCredential(trx, caller.userId, id))) {
      throw new AppError(404, 'not_found', 'No such passkey')
    }
    await endSessionsAfterFactorRemoved(trx, context.clock.now(), caller, {
      action: 'mfa.webauthn.remove',
      details: { credential: id },
    })
  })
}
