import { useEffect, useState } from 'preact/hooks'
import { ApiError } from './api/client.ts'

// Step-up: a sensitive change (turning a factor off, new recovery codes, a passkey, a new password or
// address, deleting the account, an admin's role change) needs a recent sign-in. When the API answers
// 401 reauthentication_required, the page asks the person to prove it is them again (StepUpDialog), then
// repeats the change once. The session stays signed in throughout.

type Pending = (proven: boolean) => void

let waiting: Pending | null = null
const listeners = new Set<() => void>()

function changed(): void {
  for (const listener of listeners) listener()
}

/** Opens the step-up dialog; true once the person has signed in again, false if they cancelled. */
export function requestStepUp(): Promise<boolean> {
  waiting?.(false)
  return new Promise((resolve) => {
    waiting = resolve
    changed()
  })
}

/** Closes the step-up dialog with its result. */
export function finishStepUp(proven: boolean): void {
  const resolve = waiting
  waiting = null
  changed()
  resolve?.(proven)
}

/** True while the step-up dialog should be open. */
export function useStepUpOpen(): boolean {
  const [open, setOpen] = useState(waiting !== null)
  useEffect(() => {
    const listener = () => setOpen(waiting !== null)
    listeners.add(listener)
    listener()
    return () => {
      listeners.delete(listener)
    }
  }, [])
  return open
}

/**
 * Runs a sensitive call; if the API asks for a fresh sign-in, asks for it and runs the call once more.
 * When the person cancels, the original error is thrown, so the form shows the API's explanation.
 */
export async function withStepUp<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'reauthentication_required') throw error
    if (!(await requestStepUp())) throw error
    return call()
  }
}
