import { revokeOneTimeSecrets } from '../../db/one-time-secrets.ts'
import { updateUserEmail } from '../../db/user-emails.ts'
import { findUserById } from '../../db/users.ts'
import { AppError } from '../../errors.ts'
import type { ServiceContext } from '../context.ts'
import { conflictOnUniqueViolation } from '../unique-conflict.ts'
import { requireEmail, type NormalizedEmail } from '../email/addresses.ts'
import { emailMissing, emailTaken } from '../email/errors.ts'
import { EMAIL_PURPOSES, mailLinkAndCode } from '../email/issue.ts'
import { adminTransaction, toAdminUser, type AdminActor, type AdminUserView } from './users.ts'

/** A change from PATCH /admin/users/{id}/email. */
export interface AdminEmailPatch {
  /** A new address, or null to remove it. */
  email?: string | null
  /** Mark the (new or current) address verified, or unverified. A new address is unverified by default. */
  verified?: boolean
}

/**
 * Sets, removes or (un)verifies a user's address. A changed address ends every outstanding link of the
 * old one (verification, change, reset). Another account holding the address verified is a 409.
 */
export async function setUserEmailAsAdmin(
  context: ServiceContext,
  actor: AdminActor,
  id: string,
  patch: AdminEmailPatch,
): Promise<AdminUserView> {
  const newAddress = patch.email === undefined || patch.email === null ? undefined : requireEmail(patch.email)
  return conflictOnUniqueViolation(emailTaken, () =>
    adminTransaction(context, actor, id, async (trx, target, _admins, now) => {
      const current: NormalizedEmail | null =
        target.email !== null && target.email_key !== null
          ? { address: target.email, key: target.email_key }
          : null
      const address = patch.email === undefined ? current : (newAddress ?? null)
      const changed = address?.address !== current?.address
      const verified = patch.verified ?? (changed ? false : target.email_verified === 1)
      if (verified && address === null) {
        throw new AppError(422, 'validation_failed', 'There is no address to mark verified')
      }
      const keepTime = !changed && target.email_verified === 1 && verified
      await updateUserEmail(
        trx,
        id,
        address,
        verified ? (keepTime ? target.email_verified_at : now) : null,
        now,
      )
      if (changed) {
        for (const purpose of Object.values(EMAIL_PURPOSES)) await revokeOneTimeSecrets(trx, id, now, purpose)
      }
      const updated = await findUserById(trx, id)
      if (!updated) throw new AppError(404, 'not_found', 'User not found')
      return {
        result: toAdminUser(updated),
        audit: {
          action: 'admin.user.email',
          details: { from: current?.address ?? null, to: address?.address ?? null, verified },
        },
      }
    }),
  )
}

/**
 * Mails the user a password reset link and code, as if they had asked (POST /password/forgot), under
 * the per-address quota. 409 when the user has no verified address to send it to.
 */
export async function sendPasswordResetAsAdmin(
  context: ServiceContext,
  actor: AdminActor,
  id: string,
): Promise<void> {
  const user = await findUserById(context.db, id)
  if (!user) throw new AppError(404, 'not_found', 'User not found')
  if (user.email === null || user.email_key === null || user.email_verified !== 1) throw emailMissing()
  // The audit record of the message names the admin as the actor.
  const queued = await mailLinkAndCode(context, user.email_key, {
    user,
    purpose: EMAIL_PURPOSES.reset,
    binding: user.email_key,
    to: user.email,
    kind: 'password_reset',
    page: 'reset-password',
    meta: actor.meta,
    action: 'admin.user.reset_requested',
    actorUserId: actor.userId,
  })
  if (!queued)
    throw new AppError(429, 'too_many_requests', 'Too many messages to this address; try again later')
}
