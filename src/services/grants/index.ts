import { OAuthError } from '../../errors.ts'
import type { ServiceContext } from '../context.ts'
import type { TokenPair } from '../refresh-tokens.ts'
import { toOAuthError } from './oauth-errors.ts'
import { passwordGrant } from './password.ts'
import { refreshTokenGrant } from './refresh-token.ts'
import type { GrantHandler, GrantRequest } from './types.ts'

/** Every grant the token endpoint serves. Adding a grant is adding a file and a line here. */
const GRANTS: ReadonlyMap<string, GrantHandler> = new Map([
  ['password', passwordGrant],
  ['refresh_token', refreshTokenGrant],
])

/** The grant types /token accepts, for discovery metadata. */
export const SUPPORTED_GRANT_TYPES: readonly string[] = [...GRANTS.keys()]

/** The token endpoint's logic (RFC 6749 §3.2): dispatch on `grant_type`, answer in RFC 6749 terms. */
export async function exchangeToken(context: ServiceContext, request: GrantRequest): Promise<TokenPair> {
  const grantType = request.parameters.grant_type ?? ''
  const grant = GRANTS.get(grantType)
  if (!grant) {
    throw new OAuthError(
      'unsupported_grant_type',
      `grant_type must be one of: ${SUPPORTED_GRANT_TYPES.join(', ')}`,
    )
  }
  try {
    return await grant(context, request)
  } catch (error) {
    throw toOAuthError(error)
  }
}
