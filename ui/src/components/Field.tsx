import type { Ref } from 'preact'
import { useId } from 'preact/hooks'

/** Props of a labelled input. */
export interface FieldProps {
  label: string
  name: string
  value: string
  onInput: (value: string) => void
  type?: 'text' | 'password' | 'search' | 'date' | 'email'
  /** The keyboard a phone shows: digits for a one-time code. */
  inputMode?: 'numeric' | 'email' | 'text'
  autoComplete?: string
  hint?: string
  error?: string | undefined
  list?: string
  inputRef?: Ref<HTMLInputElement>
}

/**
 * A labelled input with its hint and its error right under it. The error is tied to the input with
 * aria-describedby and aria-invalid, so a screen reader reads it when the field is focused.
 */
export function Field(props: FieldProps) {
  const id = useId()
  const hintId = props.hint ? `${id}-hint` : undefined
  const errorId = props.error ? `${id}-error` : undefined
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.hint && (
        <p id={hintId} class="hint">
          {props.hint}
        </p>
      )}
      <input
        id={id}
        ref={props.inputRef}
        name={props.name}
        // Preact's types forbid `list` on some input types, and TypeScript cannot tell which type this is;
        // every type used here accepts a list. (The linter, seeing a wider type, calls the cast useless.)
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
        type={(props.type ?? 'text') as 'text'}
        value={props.value}
        onInput={(event) => props.onInput(event.currentTarget.value)}
        autoComplete={props.autoComplete}
        inputMode={props.inputMode}
        autoCapitalize="off"
        spellcheck={false}
        list={props.list}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy}
      />
      {props.error && (
        <p id={errorId} class="field-error">
          {props.error}
        </p>
      )}
    </div>
  )
}

/** Props of a labelled select. */
export interface SelectFieldProps {
  label: string
  name: string
  value: string
  onChange: (value: string) => void
  options: Array<{ value: string; label: string }>
}

/** A labelled select. */
export function SelectField(props: SelectFieldProps) {
  const id = useId()
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select
        id={id}
        name={props.name}
        value={props.value}
        onChange={(event) => props.onChange(event.currentTarget.value)}
      >
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  )
}
