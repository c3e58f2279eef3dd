import type { Insertable, Selectable } from 'kysely'
import { consumeRow, deleteRows, deleteRowsEndedBefore, selectRows, updateRows } from './rows.ts'
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
  return selectRows(db, 'webauthn_credentials', { credential_id: credentialId }).executeTakeFirst()
}

/** Deletes one of the user's credentials by our id; true when it existed and was theirs. */
export async function deleteWebauthnCredential(db: Executor, userId: string, id: string): Promise<boolean> {
  return (await deleteRows(db, 'webauthn_credentials', { id, user_id: userId })) > 0
}

/** Deletes every credential of a user; returns how many there were. */
export async function deleteWebauthnCredentials(db: Executor, userId: string): Promise<number> {
  return deleteRows(db, 'webauthn_credentials', { user_id: userId })
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
  const use = { counter: newCounter, last_used_at: now }
  return (await updateRows(db, 'webauthn_credentials', { id, counter: previousCounter }, use)) === 1
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
  return consumeRow(db, 'webauthn_challenges', { challenge_hash: challengeHash, purpose }, now)
}

/** Deletes challenges that ended before `before`. */
export async function purgeWebauthnChallenges(db: Executor, before: number): Promise<number> {
  return deleteRowsEndedBefore(db, 'webauthn_challenges', ['expires_at', 'consumed_at'], before)
}
