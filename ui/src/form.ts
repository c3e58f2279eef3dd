import { useEffect, useRef, useState } from 'preact/hooks'
import { ApiError } from './api/client.ts'
import { describeError } from './errors.ts'
import { useI18n, type MessageKey } from './i18n/index.ts'

/** How a form is set up: its fields, its checks, and what submitting does. */
export interface FormOptions<F extends string> {
  initial: Record<F, string>
  /** The field an API error code concerns ("weak_password" → the new password field). */
  fieldForCode?: Partial<Record<string, NoInfer<F>>>
  /** Checks made before calling the API; each failing field names its message. */
  validate?: (values: Record<NoInfer<F>, string>) => Partial<Record<NoInfer<F>, MessageKey>>
  submit: (values: Record<NoInfer<F>, string>) => Promise<void>
}

/**
 * A form's values, errors and pending state. Errors from the API land next to the field they concern
 * (by code, or by a 422's `loc`), anything else above the form; the first field in error takes focus,
 * so keyboard and screen-reader users land on what needs fixing.
 */
export function useForm<F extends string>(options: FormOptions<F>) {
  const i18n = useI18n()
  const [values, setValues] = useState(options.initial)
  const [errors, setErrors] = useState<Partial<Record<F, string>>>({})
  const [formError, setFormError] = useState<string | undefined>(undefined)
  const [pending, setPending] = useState(false)
  const [attempt, setAttempt] = useState(0)
  const formRef = useRef<HTMLFormElement>(null)

  useEffect(() => {
    if (attempt === 0) return
    const form = formRef.current
    const target =
      form?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? form?.querySelector('[role="alert"]')
    if (target instanceof HTMLElement) {
      if (!target.hasAttribute('tabindex') && target.getAttribute('role') === 'alert') target.tabIndex = -1
      target.focus()
    }
  }, [attempt])

  const fail = (fieldErrors: Partial<Record<F, string>>, message: string | undefined) => {
    setErrors(fieldErrors)
    setFormError(message)
    setAttempt((count) => count + 1)
  }

  const handleSubmit = async (event: Event) => {
    event.preventDefault()
    if (pending) return
    const checks = options.validate?.(values) ?? {}
    const failing = Object.entries(checks) as Array<[F, MessageKey]>
    if (failing.length > 0) {
      fail(
        Object.fromEntries(failing.map(([field, key]) => [field, i18n.t(key)])) as Partial<Record<F, string>>,
        undefined,
      )
      return
    }
    setPending(true)
    setErrors({})
    setFormError(undefined)
    try {
      await options.submit(values)
    } catch (error) {
      const message = describeError(error, i18n)
      const field = fieldOf(error, options.fieldForCode, values)
      if (field !== undefined) fail({ [field]: message } as Partial<Record<F, string>>, undefined)
      else fail({}, message)
    } finally {
      setPending(false)
    }
  }

  return {
    values,
    errors,
    formError,
    pending,
    formRef,
    handleSubmit: (event: Event) => void handleSubmit(event),
    set: (name: F) => (value: string) => setValues((previous) => ({ ...previous, [name]: value })),
    reset: () => {
      setValues(options.initial)
      setErrors({})
      setFormError(undefined)
    },
  }
}

function fieldOf<F extends string>(
  error: unknown,
  fieldForCode: Partial<Record<string, F>> | undefined,
  values: Record<F, string>,
): F | undefined {
  if (!(error instanceof ApiError)) return undefined
  const byCode = fieldForCode?.[error.code]
  if (byCode !== undefined) return byCode
  // A 422 names the body field it is about: ["body", "username"].
  const named = error.issues[0]?.loc[1]
  return typeof named === 'string' && named in values ? (named as F) : undefined
}
