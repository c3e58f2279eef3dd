import { OAuthError } from '../../errors.ts'
import { logInWithSecondFactor } from '../mfa/second-factor-login.ts'
import { pairOrMfaError } from './login-result.ts'
import type { GrantHandler } from './types.ts'

/** The grant type that completes an mfa_required password grant with a TOTP code (`mfa_token`, `otp`). */
export const MFA_OTP_GRANT_TYPE = 'urn:gatehouse:grant-type:mfa-otp'

/** `grant_type=urn:gatehouse:grant-type:mfa-otp`: the second step of a password grant, with a TOTP code. */
export const mfaOtpGrant: GrantHandler = async (context, { parameters, meta, onRateLimit, deviceToken }) => {
  const { mfa_token: mfaToken, otp } = parameters
  if (mfaToken === undefined || otp === undefined) {
    throw new OAuthError('invalid_request', 'mfa_token and otp are required')
  }
  return pairOrMfaError(
    await logInWithSecondFactor(context, { mfaToken, code: otp, meta, onRateLimit, deviceToken }),
  )
}
