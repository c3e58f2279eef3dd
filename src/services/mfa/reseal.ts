import { listSealedTotpSecrets, replaceSealedTotpSecret } from '../../db/totp-factors.ts'
import type { SecretBox } from '../keys/encryption.ts'
import type { Executor } from '../../db/schema.ts'

/**
 * Re-seals TOTP secrets still sealed with GATEHOUSE_SECRET_PREVIOUS under the current secret, at start,
 * as the key store does for private keys: once every instance has started, the previous secret can be
 * dropped without locking anyone out of their second factor. Runs only while a previous secret is set.
 */
export async function resealTotpSecrets(
  db: Executor,
  box: SecretBox,
  previousSecret: string | undefined,
): Promise<number> {
  if (previousSecret === undefined) return 0
  let resealed = 0
  for (const row of await listSealedTotpSecrets(db)) {
    if (!box.isSealedWithPrevious(row.secret_sealed)) continue
    await replaceSealedTotpSecret(db, row.id, row.secret_sealed, box.seal(box.open(row.secret_sealed)))
    resealed += 1
  }
  return resealed
}
