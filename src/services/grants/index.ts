import { OAuthError } from '../../errors.ts'
import type { ServiceContext } from '../context.ts'
import type { TokenPair } from '../refresh-tokens.ts'
import { MFA_OTP_GRANT_TYPE, mfaOtpGrant } from './mfa-otp.ts'
import { MFA_RECOVERY_CODE_GRANT_TYPE, mfaRecoveryCodeGrant } from './mfa-recovery-code.ts'
import { toOAuthError } from './oauth-errors.ts'
import { passwordGrant } from './password.ts'
import { refreshTokenGrant } from './refresh-token.ts'
import type { GrantHandler, GrantRequest, TokenParameters } from './types.ts'

/** Every grant the token endpoint serves. Adding a grant is adding a file and a line here. */
const GRANTS: ReadonlyMap<string, GrantHandler> = new Map([
  ['password', passwordGrant],
  ['refresh_token', refreshTokenGrant],
  [MFA_OTP_GRANT_TYPE, mfaOtpGrant],
  [MFA_RECOVERY_CODE_GRANT_TYPE, mfaRecoveryCodeGrant],
])

/** The grant types /token accepts, for discovery metadata. */
export const SUPPORTED_GRANT_TYPES: readonly string[] = [...GRANTS.keys()]

/**
 * RFC 6749 §3.2: "Parameters sent without a value MUST be treated as if they were omitted from the
 * request." Dropping them here means no grant ever sees an empty string where it expects a value.
 */
function withoutEmptyParameters(parameters: TokenParameters): TokenParameters {
  return Object.fromEntries(
    Object.entries(parameters).filter(([, value]) => value !== undefined && value !== ''),
  )
}

/** The token endpoint's logic (RFC 6749 §3.2): dispatch on `grant_type`, answer in RFC 6749 terms. */
export async function exchangeToken(context: ServiceContext, request: GrantRequest): Promise<TokenPair> {
  const parameters = withoutEmptyParameters(request.parameters)
  const grantType = parameters.grant_type
  // Regression (issue 16, finding 7): an empty grant_type answered unsupported_grant_type; it is omitted.
  if (grantType === undefined) throw new OAuthError('invalid_request', 'grant_type is required')
  const grant = GRANTS.get(grantType)
  if (!grant) {
    throw new OAuthError(
      'unsupported_grant_type',
      `grant_type must be one of: ${SUPPORTED_GRANT_TYPES.join(', ')}`,
    )
  }
  try {
    return await grant(context, { ...request, parameters })
  } catch (error) {
    throw toOAuthError(error)
  }
}
