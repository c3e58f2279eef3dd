import { startAuthentication, startRegistration } from '@simplewebauthn/browser'
import { ApiError } from './api/client.ts'
import type { WebAuthnJson } from './api/mfa.ts'

/**
 * Runs the browser's WebAuthn ceremony through @simplewebauthn/browser (which turns the server's JSON
 * options into the browser's binary ones and back). A person who cancels, or a browser without passkeys,
 * becomes an ApiError with its own code, so forms show it like any other failure.
 */
export async function startPasskeyCeremony(
  kind: 'get' | 'create',
  options: WebAuthnJson,
): Promise<WebAuthnJson> {
  try {
    const response =
      kind === 'get'
        ? await startAuthentication({ optionsJSON: options as never })
        : await startRegistration({ optionsJSON: options as never })
    return response as unknown as WebAuthnJson
  } catch (error) {
    if (error instanceof ApiError) throw error
    const name = error instanceof Error ? error.name : ''
    const code = name === 'NotAllowedError' || name === 'AbortError' ? 'passkey_cancelled' : 'passkey_failed'
    throw new ApiError(0, code, error instanceof Error ? error.message : String(error))
  }
}

/** True when this browser can use passkeys at all. */
export function passkeysSupported(): boolean {
  return typeof window.PublicKeyCredential === 'function'
}
