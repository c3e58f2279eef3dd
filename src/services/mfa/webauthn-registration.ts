import {
  generateRegistrationOptions,
  verifyRegistrationResponse,
  type PublicKeyCredentialCreationOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server'
import { AppError } from '../../errors.ts'
import { isUniqueViolation } from '../../db/errors.ts'
import { deleteRecoveryCodes } from '../../db/recovery-codes.ts'
import { revokeUserSessions } from '../../db/sessions.ts'
import {
  deleteWebauthnCredential,
  insertWebauthnCredential,
  listWebauthnCredentials,
} from '../../db/webauthn.ts'
import type { AccountCaller } from '../account.ts'
import { recordAuditEvent } from '../audit.ts'
import type { ServiceContext } from '../context.ts'
import { newId } from '../random.ts'
import { secondFactorMethods } from './factors.ts'
import { generateRecoveryCodes } from './recovery-codes.ts'
import { requireStepUp, type StepUpProof } from './step-up.ts'
import {
  challengeOf,
  consumeChallenge,
  issueChallenge,
  relyingParty,
  webauthnFailed,
} from './webauthn-challenges.ts'

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
  const party = relyingParty(context)
  const existing = await listWebauthnCredentials(context.db, caller.userId)
  const challenge = await issueChallenge(context, 'webauthn_register', caller.userId, caller.sessionId)
  return generateRegistrationOptions({
    rpName: party.name,
    rpID: party.id,
    userName: caller.username,
    userID: userHandle(caller.userId),
    challenge: new Uint8Array(Buffer.from(challenge, 'base64url')),
    attestationType: 'none',
    // The same authenticator is not registered twice.
    excludeCredentials: existing.map((credential) => ({
      id: credential.credential_id,
      transports: JSON.parse(credential.transports) as string[],
    })),
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
  try {
    const recoveryCodes = await context.db.transaction().execute(async (trx) => {
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
      const revoked = await revokeUserSessions(trx, caller.userId, now, 'mfa_enabled', caller.sessionId)
      await recordAuditEvent(trx, now, caller.meta, {
        action: 'mfa.webauthn.register',
        actorUserId: caller.userId,
        targetUserId: caller.userId,
        sessionId: caller.sessionId,
        details: { credential: id, device_type: info.credentialDeviceType, revoked_sessions: revoked },
      })
      return firstFactor ? generateRecoveryCodes(trx, caller.userId, now) : undefined
    })
    return {
      id,
      name: input.name,
      device_type: info.credentialDeviceType,
      backed_up: info.credentialBackedUp,
      created_at: new Date(now).toISOString(),
      last_used_at: null,
      ...(recoveryCodes === undefined ? {} : { recovery_codes: recoveryCodes }),
    }
  } catch (error) {
    if (isUniqueViolation(error))
      throw new AppError(409, 'mfa_already_enabled', 'This passkey is already registered')
    throw error
  }
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
    const now = context.clock.now()
    if ((await secondFactorMethods(trx, caller.userId)).length === 0)
      await deleteRecoveryCodes(trx, caller.userId)
    const revoked = await revokeUserSessions(trx, caller.userId, now, 'mfa_disabled', caller.sessionId)
    await recordAuditEvent(trx, now, caller.meta, {
      action: 'mfa.webauthn.remove',
      actorUserId: caller.userId,
      targetUserId: caller.userId,
      sessionId: caller.sessionId,
      details: { credential: id, revoked_sessions: revoked },
    })
  })
}
