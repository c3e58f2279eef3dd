import { OAuthError } from '../../errors.ts'
import { logInWithSecondFactor } from '../mfa/second-factor-login.ts'
import { pairOrMfaError } from './login-result.ts'
import type { GrantHandler } from './types.ts'

/** The grant type that completes an mfa_required password grant with a recovery code. */
export const MFA_RECOVERY_CODE_GRANT_TYPE = 'urn:gatehouse:grant-type:mfa-recovery-code'

/** `grant_type=urn:gatehouse:grant-type:mfa-recovery-code`: `mfa_token` and `recovery_code`, used once. */
export const mfaRecoveryCodeGrant: GrantHandler = async (
  context,
  { parameters, meta, onRateLimit, deviceToken },
) => {
  const { mfa_token: mfaToken, recovery_code: recoveryCode } = parameters
  if (mfaToken === undefined || recoveryCode === undefined) {
    throw new OAuthError('invalid_request', 'mfa_token and recovery_code are required')
  }
  return pairOrMfaError(
    await logInWithSecondFactor(context, { mfaToken, recoveryCode, meta, onRateLimit, deviceToken }),
  )
}
