import type { Insertable, Selectable } from 'kysely'
import type { Executor, WebauthnChallengesTable, WebauthnCredentialsTable } from './schema.ts'

/** A stored WebAuthn credential. */
export type WebauthnCredentialRow = Selectable<WebauthnCredentialsTable>
/** A stored WebAuthn challenge (its hash). */
export type WebauthnChallengeRow = Selectable<WebauthnChallengesTable>

/** Stores a new credential. */
export async function insertWebauthnCredential(
  db: Executor,
  row: Insertable<WebauthnCredentialsTable>,
): Promise<void> {
  await db.insertInto('webauthn_credentials').values(row).execute()
}

/** A user's credentials, oldest first. */
export async function listWebauthnCredentials(
  db: Executor,
  userId: string,
): Promise<WebauthnCredentialRow[]> {
  return db
    .selectFrom('webauthn_credentials')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
}

/** The credential with this WebAuthn credential id, whoever owns it. */
export async function findWebauthnCredential(
  db: Executor,
  credentialId: string,
): Promise<WebauthnCredentialRow | undefined> {
  return db
    .selectFrom('webauthn_credentials')
    .selectAll()
    .where('credential_id', '=', credentialId)
    .executeTakeFirst()
}

/** Deletes one of the user's credentials by our id; true when it existed and was theirs. */
export async function deleteWebauthnCredential(db: Executor, userId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('webauthn_credentials')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

/** Deletes every credential of a user; returns how many there were. */
export async function deleteWebauthnCredentials(db: Executor, userId: string): Promise<number> {
  const result = await db.deleteFrom('webauthn_credentials').where('user_id', '=', userId).executeTakeFirst()
  return Number(result.numDeletedRows)
}

/**
 * Records a use: the signature counter moves only forward (a cloned authenticator shows up as a
 * counter that did not), in one conditional update. Authenticators that keep no counter report 0
 * every time; for them the stored value stays 0 and this still succeeds. True when this call won.
 */
export async function recordWebauthnUse(
  db: Executor,
  id: string,
  previousCounter: number,
  newCounter: number,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('webauthn_credentials')
    .set({ counter: newCounter, last_used_at: now })
    .where('id', '=', id)
    .where('counter', '=', previousCounter)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Stores a new challenge (its hash). */
export async function insertWebauthnChallenge(db: Executor, row: WebauthnChallengeRow): Promise<void> {
  await db.insertInto('webauthn_challenges').values(row).execute()
}

/** Consumes a live challenge by hash and purpose in one conditional update; returns it exactly once. */
export async function consumeWebauthnChallenge(
  db: Executor,
  purpose: string,
  challengeHash: string,
  now: number,
): Promise<WebauthnChallengeRow | undefined> {
  return db
    .updateTable('webauthn_challenges')
    .set({ consumed_at: now })
    .where('challenge_hash', '=', challengeHash)
    .where('purpose', '=', purpose)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', now)
    .returningAll()
    .executeTakeFirst()
}

/** Deletes challenges that ended before `before`. */
export async function purgeWebauthnChallenges(db: Executor, before: number): Promise<number> {
  const result = await db
    .deleteFrom('webauthn_challenges')
    .where((eb) => eb.or([eb('expires_at', '<', before), eb('consumed_at', '<', before)]))
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
