import { isUniqueViolation } from '../db/errors.ts'

/**
 * Runs `work`, and turns a unique-constraint violation it raises into `conflict()`: another request
 * took the name, address or credential between our check and our write, which is a 409, not a 500.
 */
export async function conflictOnUniqueViolation<T>(
  conflict: () => Error,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict()
    throw error
  }
}
