import { OAuthError } from '../../errors.ts'
import type { LoginResult } from '../login/types.ts'
import type { TokenPair } from '../refresh-tokens.ts'

/**
 * The token pair of a finished login, or, when a second factor (or its enrollment) is still needed, the
 * 403 `{error: "mfa_required", error_description, mfa_token}` that Auth0's clients already know.
 */
export function pairOrMfaError(result: LoginResult): TokenPair {
  switch (result.kind) {
    case 'tokens':
      return result.pair
    case 'mfa_required':
      throw new OAuthError(
        'mfa_required',
        'Multifactor authentication required',
        403,
        {},
        {
          mfa_token: result.mfaToken,
        },
      )
    case 'mfa_enrollment_required':
      throw new OAuthError(
        'mfa_enrollment_required',
        'A second factor must be enrolled before signing in',
        403,
        {},
        { mfa_token: result.mfaToken },
      )
  }
}
