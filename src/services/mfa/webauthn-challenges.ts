import { randomBytes } from 'node:crypto'
import { AppError } from '../../errors.ts'
import {
  consumeWebauthnChallenge,
  insertWebauthnChallenge,
  type WebauthnChallengeRow,
} from '../../db/webauthn.ts'
import type { ServiceContext } from '../context.ts'
import { hashOneTimeToken } from '../one-time-secrets.ts'
import { newId } from '../random.ts'

// WebAuthn challenges are one-time secrets: 32 random bytes, stored only as a SHA-256, bound to a user
// (none for a passwordless login, which starts before anyone is named) and to a purpose, expiring after
// five minutes and consumed by exactly one response. They live in a table of their own because
// one_time_secrets requires an account.

/** What a challenge is for. */
export type ChallengePurpose = 'webauthn_register' | 'webauthn_login'

const CHALLENGE_TTL_SECONDS = 300

/** The relying party: its id (GATEHOUSE_WEBAUTHN_RP_ID, default the public URL's host) and origin. */
export function relyingParty(context: ServiceContext): { id: string; origin: string; name: string } {
  const url = new URL(context.config.publicUrl)
  return { id: context.config.mfa.webauthnRpId ?? url.hostname, origin: url.origin, name: 'Gatehouse' }
}

/** Issues a challenge (base64url, as the options JSON carries it). */
export async function issueChallenge(
  context: ServiceContext,
  purpose: ChallengePurpose,
  userId: string | null,
  binding = '',
): Promise<string> {
  const challenge = randomBytes(32).toString('base64url')
  const now = context.clock.now()
  await insertWebauthnChallenge(context.db, {
    id: newId(),
    user_id: userId,
    purpose,
    challenge_hash: hashOneTimeToken(challenge),
    binding,
    created_at: now,
    expires_at: now + CHALLENGE_TTL_SECONDS * 1000,
    consumed_at: null,
  })
  return challenge
}

function failed(): AppError {
  return new AppError(401, 'webauthn_failed', 'The passkey response could not be verified')
}

/** The challenge a browser response answers (from its clientDataJSON), unchecked. */
export function challengeOf(clientDataJson: unknown): string {
  if (typeof clientDataJson !== 'string' || clientDataJson.length > 4096) throw failed()
  try {
    const parsed = JSON.parse(Buffer.from(clientDataJson, 'base64url').toString('utf8')) as {
      challenge?: unknown
    }
    if (typeof parsed.challenge !== 'string' || parsed.challenge.length > 128) throw failed()
    return parsed.challenge
  } catch {
    throw failed()
  }
}

/** Consumes the challenge a response answers: once, before it expires, for this purpose. */
export async function consumeChallenge(
  context: ServiceContext,
  purpose: ChallengePurpose,
  challenge: string,
): Promise<WebauthnChallengeRow> {
  const row = await consumeWebauthnChallenge(
    context.db,
    purpose,
    hashOneTimeToken(challenge),
    context.clock.now(),
  )
  if (!row) throw failed()
  return row
}

/** The one failure answer of the WebAuthn endpoints (the cause is logged by the caller, never sent). */
export const webauthnFailed = failed
