import {
  generateAuthenticationOptions,
  verifyAuthenticationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server'
import { AppError } from '../../errors.ts'
import { findUserById } from '../../db/users.ts'
import {
  findWebauthnCredential,
  listWebauthnCredentials,
  recordWebauthnUse,
  type WebauthnCredentialRow,
} from '../../db/webauthn.ts'
import { recordAuditEvent, type RequestMeta } from '../audit.ts'
import type { ServiceContext } from '../context.ts'
import { completeLogin } from '../login/complete.ts'
import { withLoginThrottle } from '../login/throttled.ts'
import type { AuthenticationMethod, LoginResult } from '../login/types.ts'
import type { RateLimitSink } from '../throttle/rate-limit-info.ts'
import { consumeMfaToken, findPendingSecondFactor } from './mfa-token.ts'
import {
  finishSecondFactorLogin,
  incorrectCode,
  recordSecondFactorFailure,
  secondFactorThrottle,
} from './second-factor-login.ts'
import { challengeOf, consumeChallenge, relyingParty, webauthnFailed } from './webauthn-challenges.ts'
import { base64urlBytes, ceremonyOptions, credentialDescriptor } from './webauthn-options.ts'
import { userHandle } from './webauthn-registration.ts'

/**
 * POST /webauthn/login/options: request options for navigator.credentials.get. With an mfa_token, the
 * account's credentials are allowed (a second factor); without one, any discoverable credential with
 * user verification (a passwordless login).
 */
export async function loginOptions(
  context: ServiceContext,
  request: { mfaToken: string | undefined; meta: RequestMeta; onRateLimit?: RateLimitSink | undefined },
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const { mfaToken } = request
  // Each answer stores a challenge, for anyone who asks: counted per IP (429 past the limit).
  request.onRateLimit?.(await context.throttles.webauthnChallenges.consume(request.meta.ip ?? 'unknown'))
  if (mfaToken === undefined) {
    const ceremony = await ceremonyOptions(context, 'webauthn_login', null)
    return generateAuthenticationOptions({ ...ceremony, userVerification: 'required' })
  }
  const pending = await findPendingSecondFactor(context, mfaToken, 'mfa_token')
  const credentials = await listWebauthnCredentials(context.db, pending.user.id)
  const ceremony = await ceremonyOptions(context, 'webauthn_login', pending.user.id, pending.secret.id)
  return generateAuthenticationOptions({
    ...ceremony,
    userVerification: 'preferred',
    allowCredentials: credentials.map(credentialDescriptor),
  })
}

/** A passkey answer: as the second factor (with the mfa_token) or on its own (passwordless). */
export interface WebauthnLoginAttempt {
  response: AuthenticationResponseJSON
  mfaToken?: string | undefined
  meta: RequestMeta
  onRateLimit?: RateLimitSink | undefined
  deviceToken?: string | undefined
}

/** RFC 8176: a key the platform keeps in hardware is `hwk`; a synced (backed-up) passkey is `swk`. */
function keyMethod(credential: Pick<WebauthnCredentialRow, 'device_type'>): AuthenticationMethod {
  return credential.device_type === 'multiDevice' ? 'swk' : 'hwk'
}

/**
 * Checks an assertion: the challenge (used once, for this login), the credential's owner, signature,
 * origin, RP id and counter; then records the new counter in a conditional update, so one assertion
 * is accepted once. Returns the credential used.
 */
async function verifyAssertion(
  context: ServiceContext,
  attempt: WebauthnLoginAttempt,
  expected: { userId: string | null; binding: string; requireUserVerification: boolean },
): Promise<WebauthnCredentialRow> {
  const challenge = challengeOf(attempt.response.response.clientDataJSON)
  const stored = await consumeChallenge(context, 'webauthn_login', challenge)
  if (stored.user_id !== expected.userId || stored.binding !== expected.binding) throw webauthnFailed()
  const credential = await findWebauthnCredential(context.db, attempt.response.id)
  if (!credential || (expected.userId !== null && credential.user_id !== expected.userId))
    throw webauthnFailed()
  // Passwordless: the authenticator names the account; it must be the credential's own.
  const handle = attempt.response.response.userHandle
  if (handle !== undefined && handle !== Buffer.from(userHandle(credential.user_id)).toString('base64url')) {
    throw webauthnFailed()
  }
  const party = relyingParty(context)
  const verification = await verifyAuthenticationResponse({
    response: attempt.response,
    expectedChallenge: challenge,
    expectedOrigin: party.origin,
    expectedRPID: party.id,
    credential: {
      ...credentialDescriptor(credential),
      publicKey: base64urlBytes(credential.public_key),
      counter: credential.counter,
    },
    requireUserVerification: expected.requireUserVerification,
  }).catch((error: unknown) => {
    context.log.info({ err: error }, 'webauthn assertion refused')
    throw webauthnFailed()
  })
  if (!verification.verified) throw webauthnFailed()
  const { newCounter } = verification.authenticationInfo
  const won = await recordWebauthnUse(
    context.db,
    credential.id,
    credential.counter,
    newCounter,
    context.clock.now(),
  )
  if (!won) throw webauthnFailed()
  return credential
}

/** POST /webauthn/login: a passkey as the second factor, or as a passwordless login. */
export async function logInWithPasskey(
  context: ServiceContext,
  attempt: WebauthnLoginAttempt,
): Promise<LoginResult> {
  if (attempt.mfaToken === undefined) return logInPasswordless(context, attempt)
  const pending = await findPendingSecondFactor(context, attempt.mfaToken, 'mfa_token')
  const credential = await withLoginThrottle(
    context,
    secondFactorThrottle(context, pending, attempt),
    async () => {
      const used = await verifyAssertion(context, attempt, {
        userId: pending.user.id,
        binding: pending.secret.id,
        requireUserVerification: false,
      }).catch(async (error: unknown) => {
        await recordSecondFactorFailure(context, pending, 'webauthn', attempt.meta)
        // A failed assertion is a wrong second factor: counted by the account's throttle.
        throw error instanceof AppError && error.code === 'webauthn_failed' ? incorrectCode() : error
      })
      await context.db.transaction().execute((trx) => consumeMfaToken(trx, context, pending))
      return used
    },
  )
  return finishSecondFactorLogin(context, pending, [keyMethod(credential)], attempt.meta)
}

async function logInPasswordless(
  context: ServiceContext,
  attempt: WebauthnLoginAttempt,
): Promise<LoginResult> {
  const credential = await verifyAssertion(context, attempt, {
    userId: null,
    binding: '',
    requireUserVerification: true,
  }).catch(async (error: unknown) => {
    await recordAuditEvent(context.db, context.clock.now(), attempt.meta, {
      action: 'mfa.webauthn.failure',
      outcome: 'failure',
      details: { passwordless: true },
    })
    throw error
  })
  const user = await findUserById(context.db, credential.user_id)
  if (!user || user.disabled_at !== null) throw webauthnFailed()
  // A discoverable key with user verification is two factors in one: possession and a PIN or biometric.
  return completeLogin(
    context,
    user,
    { methods: [keyMethod(credential), 'mfa'], authenticatedAt: context.clock.now() },
    attempt.meta,
  )
}
