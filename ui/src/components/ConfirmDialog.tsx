import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { describeError } from '../errors.ts'
import { useI18n } from '../i18n/index.ts'
import { ErrorAlert } from './Alert.tsx'
import { Dialog } from './Dialog.tsx'

/** Props of a confirmation dialog. */
export interface ConfirmDialogProps {
  open: boolean
  title: string
  confirmLabel: string
  onConfirm: () => Promise<void>
  onClose: () => void
  children: ComponentChildren
}

/** Asks before an action that cannot be undone; the action's error stays in the dialog. */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const i18n = useI18n()
  const [pending, setPending] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  const close = () => {
    setError(undefined)
    props.onClose()
  }
  const confirm = async (event: Event) => {
    event.preventDefault()
    setPending(true)
    setError(undefined)
    try {
      await props.onConfirm()
      close()
    } catch (caught) {
      setError(describeError(caught, i18n))
    } finally {
      setPending(false)
    }
  }
  return (
    <Dialog open={props.open} title={props.title} onClose={close}>
      <form onSubmit={(event) => void confirm(event)}>
        <div class="dialog-body">{props.children}</div>
        <ErrorAlert>{error}</ErrorAlert>
        <div class="actions">
          <button type="submit" class="danger" disabled={pending}>
            {props.confirmLabel}
          </button>
          <button type="button" class="secondary" onClick={close}>
            {i18n.t('common.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  )
}
