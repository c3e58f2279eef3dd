import { useEffect, useState } from 'preact/hooks'
import type { Profile } from './api/types.ts'

/**
 * Who is signed in. The access token lives in this module's memory only, never in localStorage or
 * sessionStorage, so a script that reads storage finds nothing. After a reload the page gets a new one
 * from the HttpOnly refresh cookie (browser-session.ts), which no script can read.
 */
export interface Session {
  accessToken: string
  user: Profile
}

/** Why a session ended, for the notice on the sign-in page. */
export type EndReason = 'signed-out' | 'expired' | 'deleted'

let current: Session | null = null
let lastEndReason: EndReason | null = null
const listeners = new Set<() => void>()

function changed(): void {
  for (const listener of listeners) listener()
}

/** The current session, or null. */
export function currentSession(): Session | null {
  return current
}

/** Starts (or updates) the session. */
export function setSession(session: Session): void {
  current = session
  lastEndReason = null
  changed()
}

/** Replaces the access token after a refresh. */
export function setAccessToken(accessToken: string): void {
  if (current) current = { ...current, accessToken }
}

/** Replaces the signed-in user's profile after a change (a rename). */
export function updateUser(user: Profile): void {
  if (current) setSession({ ...current, user })
}

/** Forgets the token and says why. */
export function endSession(reason: EndReason): void {
  current = null
  lastEndReason = reason
  changed()
}

/** Why the last session ended, once: the sign-in page shows it and it is then forgotten. */
export function takeEndReason(): EndReason | null {
  const reason = lastEndReason
  lastEndReason = null
  return reason
}

/** The session, re-rendering when it starts or ends. */
export function useSession(): Session | null {
  const [session, setState] = useState(current)
  useEffect(() => {
    const listener = () => setState(current)
    listeners.add(listener)
    listener()
    return () => {
      listeners.delete(listener)
    }
  }, [])
  return session
}
