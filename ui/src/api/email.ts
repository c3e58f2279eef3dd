import { apiRequest } from './client.ts'
import type { Profile } from './types.ts'

// Issue 11's email endpoints. None of them signs anybody in: a reset ends every session of the account.

const auth = { authenticated: true } as const

/**
 * POST /password/forgot with an email address or a username (whichever the person typed: an `@` means an
 * address). The answer is the same 202 whether or not the account exists, so it carries nothing to show.
 */
export async function requestPasswordReset(identifier: string): Promise<void> {
  const body = identifier.includes('@') ? { email: identifier } : { username: identifier }
  await apiRequest('POST', '/password/forgot', { body })
}

/** How a reset proves itself: the link's token, or the address and the 6-digit code from the message. */
export type ResetProof = { token: string } | { email: string; code: string }

/** POST /password/reset: sets the new password and ends every session of the account. */
export async function resetPassword(proof: ResetProof, newPassword: string): Promise<void> {
  await apiRequest('POST', '/password/reset', { body: { ...proof, new_password: newPassword } })
}

/** POST /email/verification: sends the signed-in person a link and a code for their address. */
export async function sendVerification(): Promise<void> {
  await apiRequest('POST', '/email/verification', auth)
}

/**
 * POST /email/verify with the link's token (no session needed), or with the code from the message (as
 * the signed-in person). Confirms a new address as well as a first one.
 */
export function verifyEmail(proof: { token: string } | { code: string }): Promise<Profile> {
  return 'token' in proof
    ? apiRequest('POST', '/email/verify', { body: proof })
    : apiRequest('POST', '/email/verify', { ...auth, body: proof })
}

/** PUT /profile/email: a confirmation goes to the new address; the change waits for it. */
export async function changeEmail(email: string, password: string): Promise<void> {
  await apiRequest('PUT', '/profile/email', { ...auth, body: { email, password } })
}
