import { AppError } from '../../errors.ts'

/** The uniform 401 of a right password for an account whose address is not yet verified. */
export function emailNotVerified(): AppError {
  return new AppError(401, 'email_not_verified', 'Verify your email address before signing in', {
    'www-authenticate': 'Bearer',
  })
}

/** One answer for every link or code that is unknown, used, expired, dead or for something else. */
export function invalidOrExpiredToken(): AppError {
  return new AppError(400, 'invalid_or_expired_token', 'The link or code is invalid or has expired')
}

/** Another account holds this address verified. */
export function emailTaken(): AppError {
  return new AppError(409, 'email_taken', 'This email address is already in use')
}

/** The account has no address to verify. */
export function emailMissing(): AppError {
  return new AppError(409, 'email_missing', 'The account has no email address')
}
