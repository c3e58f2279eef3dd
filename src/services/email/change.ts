import { verifiedEmailKeyTaken } from '../../db/user-emails.ts'
import type { AccountCaller } from '../account.ts'
import type { ServiceContext } from '../context.ts'
import { confirmCurrentPassword } from '../login/reauthenticate.ts'
import { requireStepUp } from '../mfa/step-up.ts'
import { requireEmail } from './addresses.ts'
import { emailTaken } from './errors.ts'
import { EMAIL_PURPOSES, mailLinkAndCode, type LinkAndCode } from './issue.ts'
import { queueEmail } from './outbox.ts'

/**
 * PUT /profile/email: after the current password (under the login throttle) and step-up, the new address gets a
 * link and a code and the old one a notice. Nothing changes until the new address is confirmed through
 * POST /email/verify, so a typo or a stolen session cannot move the account to an address nobody reads.
 */
export async function requestEmailChange(
  context: ServiceContext,
  caller: AccountCaller,
  input: { email: string; password: string; code?: string | undefined },
): Promise<void> {
  // Step-up (issue 12): on a login older than GATEHOUSE_REAUTH_MAX_AGE, an account with TOTP also gives a
  // code, so a stolen session plus a phished password cannot move the account to another address.
  await requireStepUp(context, caller, { password: input.password, code: input.code })
  const user = await confirmCurrentPassword(context, { ...caller, password: input.password })
  const address = requireEmail(input.email)
  if (user.email_key === address.key && user.email === address.address && user.email_verified === 1) return
  if (await verifiedEmailKeyTaken(context.db, address.key, user.id)) throw emailTaken()
  const confirmation: LinkAndCode = {
    user,
    purpose: EMAIL_PURPOSES.change,
    binding: address.address,
    to: address.address,
    kind: 'email_change_confirm',
    page: 'verify-email',
    meta: caller.meta,
    action: 'email.change_requested',
  }
  await mailLinkAndCode(context, address.key, confirmation, async (trx) => {
    // The old address hears of it first, so a takeover through a stolen session does not go unnoticed.
    if (user.email !== null && user.email_key !== address.key) {
      await queueEmail(trx, context, {
        to: user.email,
        kind: 'email_change_notice',
        userId: user.id,
        values: { username: user.username, new_email: address.address },
      })
    }
  })
}
