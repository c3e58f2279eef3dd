import { ApiError } from './api/client.ts'

/**
 * A wrong one-time code comes back as `invalid_credentials`, the code of a wrong password; forms that ask
 * for a code rename it `invalid_code`, so the message (in every language) speaks of the code.
 */
export async function asCodeCheck<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (error instanceof ApiError && error.code === 'invalid_credentials') {
      throw new ApiError(
        error.status,
        'invalid_code',
        error.detail,
        error.issues,
        error.retryAfterSeconds,
        error.body,
      )
    }
    throw error
  }
}
