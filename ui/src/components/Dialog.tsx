import type { ComponentChildren } from 'preact'
import { useEffect, useId, useRef } from 'preact/hooks'

/** Props of a modal dialog. */
export interface DialogProps {
  open: boolean
  title: string
  onClose: () => void
  children: ComponentChildren
}

/**
 * A modal built on the native <dialog>: the browser keeps focus inside it, closes it on Escape, makes
 * the rest of the page inert, and returns focus to the button that opened it when it closes.
 */
export function Dialog({ open, title, onClose, children }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (open && !dialog.open) dialog.showModal()
    if (!open && dialog.open) dialog.close()
  }, [open])
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={onClose}>
      <h2 id={titleId}>{title}</h2>
      {open && children}
    </dialog>
  )
}
