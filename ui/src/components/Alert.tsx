import type { ComponentChildren } from 'preact'

/** An error about the whole form or page, announced at once (role="alert"). */
export function ErrorAlert({ children }: { children: ComponentChildren }) {
  if (!children) return null
  return (
    <div class="alert alert-error" role="alert">
      {children}
    </div>
  )
}

/**
 * A success or progress message, announced politely. The live region is always rendered, even empty,
 * because screen readers only announce changes to a region that already exists.
 */
export function StatusMessage({ children }: { children?: ComponentChildren }) {
  return (
    <div class={children ? 'alert alert-ok' : 'status-empty'} role="status">
      {children}
    </div>
  )
}
